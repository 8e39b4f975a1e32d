// Frigade's own JavaScript SDK (npm `@frigade/js` 0.9.12), unchanged, against the local server: only its apiUrl
// and key change. Run by tests/e2e/clients.rs with FLOWS_URL (the server's origin), FLOWS_PUBLIC_KEY (a public
// key), FLOWS_USER (the external id of a user the flow `onboarding_tour` is assigned to; its steps are s1, s2, s3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Frigade } from '@frigade/js';

const { FLOWS_URL, FLOWS_PUBLIC_KEY, FLOWS_USER } = process.env;
for (const name of ['FLOWS_URL', 'FLOWS_PUBLIC_KEY', 'FLOWS_USER']) {
  assert.ok(process.env[name], `${name} is set`);
}

// The SDK never throws on a failed call: it warns. A warning here is a failure.
const warnings = [];
console.warn = (...args) => warnings.push(args.map(String).join(' '));

const SLUG = 'onboarding_tour';

function ids(flow) {
  return [...flow.steps.values()].map((s) => s.id);
}

test("the SDK loads the user's flows and walks the flow's steps", async () => {
  const frigade = new Frigade(FLOWS_PUBLIC_KEY, { apiUrl: FLOWS_URL, userId: FLOWS_USER, groupId: 'team-1' });
  const flows = await frigade.getFlows();
  assert.equal(frigade.hasFailedToLoad(), false);
  assert.ok(flows.some((f) => f.id === SLUG), `flows: ${flows.map((f) => f.id)}`);

  const flow = await frigade.getFlow(SLUG);
  assert.deepEqual(ids(flow), ['s1', 's2', 's3']);
  assert.equal(flow.type, 'CHECKLIST');
  assert.equal(flow.version, 1);
  assert.equal(flow.isStarted, false);
  assert.equal(flow.isCompleted, false);
  assert.equal(flow.isVisible, true);
  assert.equal(flow.getCurrentStep().id, 's1');

  await flow.start();
  assert.equal(flow.isStarted, true);

  // Completing the first step: the server moves the current step to the next open one; the SDK starts it.
  await flow.steps.get('s1').complete({ answer: 42 });
  assert.equal(flow.steps.get('s1').$state.completed, true);
  assert.equal(flow.getCurrentStep().id, 's2');
  assert.equal(flow.getCurrentStep().$state.started, true);

  await flow.steps.get('s2').skip();
  assert.equal(flow.steps.get('s2').$state.skipped, true);
  assert.equal(flow.getCurrentStep().id, 's3');

  // The last step: COMPLETED_STEP, then the SDK's COMPLETED_FLOW on a flow the rule already completed.
  await flow.steps.get('s3').complete();
  assert.equal(flow.isCompleted, true);
  assert.equal(flow.isVisible, false);

  // A fresh SDK sees the same state from the server.
  const again = new Frigade(FLOWS_PUBLIC_KEY, { apiUrl: `${FLOWS_URL}/`, userId: FLOWS_USER });
  const reread = await again.getFlow(SLUG);
  assert.equal(reread.isCompleted, true);
  assert.equal(reread.steps.get('s1').$state.completed, true);
  assert.equal(reread.steps.get('s2').$state.skipped, true);

  // identify, group and track reach the sessions route (and refresh the states).
  await frigade.identify(FLOWS_USER, { plan: 'pro' });
  await frigade.group('team-2', { seats: 5 });
  await frigade.track('clicked', { x: 1 });
  assert.deepEqual(warnings, []);
});

test('a restart and a step reset go back to the server', async () => {
  const frigade = new Frigade(FLOWS_PUBLIC_KEY, { apiUrl: FLOWS_URL, userId: 'sdk-restarter' });
  const flow = await frigade.getFlow(SLUG);
  await flow.steps.get('s1').complete();
  assert.equal(flow.steps.get('s1').$state.completed, true);
  await flow.steps.get('s1').reset();
  assert.equal(flow.steps.get('s1').$state.completed, false);
  await flow.complete();
  assert.equal(flow.isCompleted, true);
  await flow.restart();
  assert.equal(flow.isCompleted, false);
  assert.equal(flow.isStarted, false);
  await flow.skip();
  assert.equal(flow.isSkipped, true);
  assert.deepEqual(warnings, []);
});

test('an anonymous visitor is a guest user', async () => {
  const frigade = new Frigade(FLOWS_PUBLIC_KEY, { apiUrl: FLOWS_URL });
  const flow = await frigade.getFlow(SLUG);
  assert.ok(frigade.getConfig().userId.startsWith('guest_'), frigade.getConfig().userId);
  assert.equal(flow.isStarted, false);
  await flow.start();
  assert.equal(flow.isStarted, true);
  assert.deepEqual(warnings, []);
});
