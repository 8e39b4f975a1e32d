// Frigade's own JavaScript SDK (npm `@frigade/js`), unchanged, given a user token as its API key: the token minted
// as an organization's server would (node:crypto, the README's recipe), for an organization that wants user tokens
// for progress on assigned flows. Run by tests/e2e/clients.rs with FLOWS_URL, FLOWS_PUBLIC_KEY, FLOWS_ORG_ID,
// FLOWS_USER_TOKEN_SECRET and FLOWS_USER (the external id of a user the two-step flow `safety` is assigned to).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Frigade } from '@frigade/js';

const { FLOWS_URL, FLOWS_PUBLIC_KEY, FLOWS_ORG_ID, FLOWS_USER_TOKEN_SECRET, FLOWS_USER } = process.env;
for (const name of ['FLOWS_URL', 'FLOWS_PUBLIC_KEY', 'FLOWS_ORG_ID', 'FLOWS_USER_TOKEN_SECRET', 'FLOWS_USER']) {
  assert.ok(process.env[name], `${name} is set`);
}

const warnings = [];
console.warn = (...args) => warnings.push(args.map(String).join(' '));

// What the organization's server does for a signed-in user.
function userToken(userId, seconds) {
  const expires = Math.floor(Date.now() / 1000) + seconds;
  const mac = createHmac('sha256', FLOWS_USER_TOKEN_SECRET).update(`${FLOWS_ORG_ID}.${expires}.${userId}`).digest('hex');
  return `ut_${FLOWS_ORG_ID}_${expires}_${mac}`;
}

test("the page's public key cannot complete the user's assigned training", async () => {
  const frigade = new Frigade(FLOWS_PUBLIC_KEY, { apiUrl: FLOWS_URL, userId: FLOWS_USER });
  const flow = await frigade.getFlow('safety');
  assert.equal(flow.isCompleted, false);
  warnings.length = 0;
  await flow.steps.get('s1').complete();
  // The SDK warns instead of throwing; a fresh read shows that nothing was recorded.
  assert.ok(warnings.length > 0, 'the SDK saw the refusal');
  const again = new Frigade(FLOWS_PUBLIC_KEY, { apiUrl: FLOWS_URL, userId: FLOWS_USER });
  const reread = await again.getFlow('safety');
  assert.equal(reread.steps.get('s1').$state.completed, false);
  warnings.length = 0;
});

test('a user token minted for the user is the SDK key that completes it', async () => {
  const frigade = new Frigade(userToken(FLOWS_USER, 600), { apiUrl: FLOWS_URL, userId: FLOWS_USER });
  const flow = await frigade.getFlow('safety');
  assert.equal(frigade.hasFailedToLoad(), false);
  await flow.steps.get('s1').complete();
  await flow.steps.get('s2').complete();
  assert.equal(flow.isCompleted, true);
  await frigade.track('finished-safety', { ok: true });
  assert.deepEqual(warnings, []);
});
