// SuperOffice's own JavaScript client (npm `@superoffice/webapi` 12.4.1514), unchanged, against the local server:
// only its base URL and token change. Its workflow agent calls `<base>/api/v1/Agents/Workflow/<Method>`, sends
// camelCase members (both spellings on steps it read), `null` for no body, and reads PascalCase answers with enums
// by name. Run by tests/e2e/clients.rs with FLOWS_URL (the server's origin), FLOWS_KEY (a secret key) and
// FLOWS_PERSON (the id of a person of the organization).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { WebApi } = require('@superoffice/webapi');

const { FLOWS_URL, FLOWS_KEY, FLOWS_PERSON } = process.env;
for (const name of ['FLOWS_URL', 'FLOWS_KEY', 'FLOWS_PERSON']) {
  assert.ok(process.env[name], `${name} is set`);
}

function agent() {
  const api = new WebApi(FLOWS_URL);
  api.authenticateWithToken(FLOWS_KEY);
  return api.getWorkflowAgent();
}

/// A fixture of seed 002 (tests/e2e/fixtures/superoffice), its examples' commas before closing brackets dropped.
function seed(name) {
  const text = readFileSync(new URL(`../e2e/fixtures/superoffice/${name}`, import.meta.url), 'utf8');
  return JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
}

/// Holds what the client made of an answer against the seed's PascalCase object, member for member: the client's
/// members are camelCase (`TZLocationID` → `tZLocationID`), its dates `Date`s, its flags numbers (`Unknown` → 0),
/// its carrier arrays never null.
function assertLikeSeed(got, want, skip = [], path = '') {
  for (const [name, value] of Object.entries(want)) {
    if (skip.includes(name)) continue;
    const member = name[0].toLowerCase() + name.slice(1);
    const at = `${path}.${member}`;
    const mine = got?.[member];
    if (value === null) {
      // The client makes an empty array of a carrier array that is null.
      const none = mine === null || mine === undefined || (Array.isArray(mine) && mine.length === 0);
      assert.ok(none, `${at}: ${JSON.stringify(mine)}`);
    } else if (Array.isArray(value)) {
      assert.ok(Array.isArray(mine) && mine.length === value.length, `${at}: ${JSON.stringify(mine)}`);
      value.forEach((v, i) => (typeof v === 'object' ? assertLikeSeed(mine[i], v, skip, `${at}[${i}]`) : assert.equal(mine[i], v, `${at}[${i}]`)));
    } else if (typeof value === 'object') {
      assertLikeSeed(mine, value, skip, at);
    } else if (name === 'SelectedDays') {
      assert.equal(mine, value === 'Unknown' ? 0 : mine, at);
    } else if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) {
      assert.ok(mine instanceof Date, `${at} is a date`);
      assert.equal(mine.getTime(), new Date(value).getTime(), at);
    } else {
      assert.equal(mine, value, at);
    }
  }
}

/// The status of a rejected call.
async function statusOf(promise) {
  try {
    await promise;
  } catch (err) {
    return err.response?.status ?? `no response: ${err.message}`;
  }
  return 'resolved';
}

test("seed 002's bodies, through the client: defaults, the saved flow, the trigger example", async () => {
  const wf = agent();
  assertLikeSeed(await wf.createDefaultEmailFlowAsync(), seed('default_email_flow.json'));
  assertLikeSeed(await wf.createDefaultWorkflowTriggerAsync(), seed('default_trigger.json'));
  assertLikeSeed(await wf.createDefaultWorkflowStepFromTypeAsync('WaitForTime'), seed('default_wait_for_time_step.json'));

  // The seed's SaveEmailFlow request, as a caller written against the seed passes it (PascalCase).
  const saved = await wf.saveEmailFlowAsync(seed('save_email_flow_request.txt'));
  assertLikeSeed(saved, seed('save_email_flow_response.txt'), ['EmailFlowId', 'CreatedDate', 'UpdatedDate']);
  assert.ok(saved.emailFlowId > 0);

  // The seed's trigger example, into that flow; what SuperOffice computes is left out of the comparison.
  const trigger = { ...seed('trigger_request.json'), WorkflowId: saved.emailFlowId };
  const computed = ['DisplayValues', 'ColumnInfo', 'UniqueHash', 'IsActive', 'InterOperator', 'WorkflowTriggerId', 'WorkflowId'];
  const savedTrigger = await wf.saveWorkflowTriggerAsync(trigger);
  assertLikeSeed(savedTrigger, seed('trigger_response.json'), computed);
  assert.equal(savedTrigger.workflowId, saved.emailFlowId);
  assertLikeSeed(await wf.getWorkflowTriggerAsync(savedTrigger.workflowTriggerId), seed('trigger_response.json'), computed);
});

test('an email flow is built from the defaults, saved whole, read, copied, started and deleted', async () => {
  const wf = agent();
  const flow = await wf.createDefaultEmailFlowAsync();
  assert.equal(flow.emailFlowId, 0);
  assert.equal(flow.status, 'Stopped');
  assert.equal(flow.startOnlyOnce, true);
  assert.equal(flow.fromType, 'FromOnlySpecified');
  assert.equal(flow.folder.domain, 'EmailFlows');
  assert.deepEqual(flow.steps, []);

  // A step from its type's default, changed the client's way (camelCase, after its PascalCase copy).
  const wait = await wf.createDefaultWorkflowStepFromTypeAsync('WaitForTime');
  assert.equal(wait.stepType, 'WaitForTime');
  assert.equal(wait.timeWaitAlgorithm, 'None');
  wait.timeWaitAlgorithm = 'NumIntervals';
  wait.numIntervals = 3;
  wait.intervalType = 'Days';
  const sms = await wf.createDefaultWorkflowStepFromTypeAsync('SendSMS');
  sms.text = 'Welcome aboard';
  flow.name = 'Welcome flow';
  flow.steps = [wait, sms];
  flow.selectedDays = 31;

  const saved = await wf.saveEmailFlowAsync(flow);
  assert.ok(saved.emailFlowId > 0);
  assert.equal(saved.name, 'Welcome flow');
  assert.equal(saved.steps.length, 2);
  assert.equal(saved.steps[0].stepType, 'WaitForTime');
  assert.equal(saved.steps[0].numIntervals, 3);
  assert.equal(saved.steps[0].intervalType, 'Days');
  assert.equal(saved.steps[0].rank, 1);
  assert.equal(saved.steps[1].text, 'Welcome aboard');
  assert.ok(saved.steps.every((s) => s.workflowId === saved.emailFlowId && s.workflowStepId > 0));
  assert.ok(saved.createdDate instanceof Date && saved.createdDate.getUTCFullYear() >= 2026);

  // Read back, changed and saved again: the ids stay.
  const read = await wf.getEmailFlowAsync(saved.emailFlowId);
  assert.equal(read.name, 'Welcome flow');
  assert.deepEqual(read.steps.map((s) => s.workflowStepId), saved.steps.map((s) => s.workflowStepId));
  read.steps[0].numIntervals = 5;
  read.description = 'Now five days';
  const resaved = await wf.saveEmailFlowAsync(read);
  assert.equal(resaved.steps[0].numIntervals, 5);
  assert.equal(resaved.steps[0].workflowStepId, saved.steps[0].workflowStepId);
  assert.equal(resaved.description, 'Now five days');

  const step = await wf.getWorkflowStepAsync(saved.steps[1].workflowStepId);
  assert.equal(step.stepType, 'SendSMS');
  assert.equal(step.text, 'Welcome aboard');
  const runScript = await wf.createDefaultWorkflowStepFromTypeAsync('RunScript');
  runScript.scriptId = 12;
  const added = await wf.addAfterWorkflowStepAsync(saved.steps[0].workflowStepId, runScript);
  assert.equal(added.stepType, 'RunScript');
  assert.equal(added.scriptId, 12);
  assert.equal(added.rank, 2);

  assert.equal(await wf.setStatusOnWorkflowAsync(saved.emailFlowId, 'Running'), 'Running');
  assert.equal((await wf.getEmailFlowAsync(saved.emailFlowId)).status, 'Running');

  const copyId = await wf.copyEmailFlowAsync(saved.emailFlowId, 'Welcome flow (copy)');
  const copy = await wf.getEmailFlowAsync(copyId);
  assert.equal(copy.name, 'Welcome flow (copy)');
  assert.equal(copy.status, 'Stopped');
  assert.equal(copy.steps.length, 3);

  await wf.deleteEmailFlowAsync(copyId);
  assert.equal(await statusOf(wf.getEmailFlowAsync(copyId)), 404);
});

test('triggers, goals and wait-for-actions are saved into their flow, read and deleted by id', async () => {
  const wf = agent();
  const flow = await wf.createDefaultEmailFlowAsync();
  flow.name = 'Triggered';
  const waitForAction = await wf.createDefaultWorkflowStepFromTypeAsync('WaitForAction');
  const split = await wf.createDefaultWorkflowStepFromTypeAsync('Split');
  const option = await wf.createDefaultWorkflowStepOptionFromTypeAsync('PersonData');
  assert.equal(option.optionType, 'PersonData');
  option.name = 'Everyone';
  split.options = [option];
  flow.steps = [waitForAction, split];
  const saved = await wf.saveEmailFlowAsync(flow);

  const trigger = await wf.createDefaultWorkflowTriggerAsync();
  assert.equal(trigger.triggerType, 'None');
  trigger.workflowId = saved.emailFlowId;
  trigger.triggerType = 'CreatedRequest';
  trigger.restrictionGroups = [
    { name: 'Trigger from API', description: '', rank: 0, restrictions: [{ name: 'request/slevel', operator: 'oneOf', values: ['[I:1]'] }] },
  ];
  const savedTrigger = await wf.saveWorkflowTriggerAsync(trigger);
  assert.ok(savedTrigger.workflowTriggerId > 0);
  assert.equal(savedTrigger.triggerType, 'CreatedRequest');
  assert.deepEqual(savedTrigger.restrictionGroups[0].restrictions[0].values, ['[I:1]']);
  assert.equal(savedTrigger.restrictionGroups[0].restrictions[0].interOperator, 'And');
  const readTrigger = await wf.getWorkflowTriggerAsync(savedTrigger.workflowTriggerId);
  assert.equal(readTrigger.triggerType, 'CreatedRequest');

  const goal = await wf.createDefaultWorkflowGoalAsync();
  goal.workflowId = saved.emailFlowId;
  goal.goalType = 'LinkClicked';
  const savedGoal = await wf.saveWorkflowGoalAsync(goal);
  assert.equal((await wf.getWorkflowGoalAsync(savedGoal.workflowGoalId)).goalType, 'LinkClicked');

  const action = await wf.createDefaultWorkflowWaitForActionAsync();
  action.workflowStepId = saved.steps[0].workflowStepId;
  action.workflowId = saved.emailFlowId;
  action.actionType = 'FormSubmitted';
  const savedAction = await wf.saveWorkflowWaitForActionAsync(action);
  assert.equal(savedAction.actionType, 'FormSubmitted');
  assert.equal((await wf.getWorkflowWaitForActionAsync(savedAction.workflowWaitForActionId)).actionType, 'FormSubmitted');

  const readOption = await wf.getWorkflowStepOptionAsync(saved.steps[1].options[0].workflowStepOptionId);
  assert.equal(readOption.name, 'Everyone');
  const readSplit = await wf.getWorkflowStepAsync(saved.steps[1].workflowStepId);
  assert.equal(readSplit.options[0].optionType, 'PersonData');

  await wf.deleteWorkflowTriggerAsync(savedTrigger.workflowTriggerId);
  await wf.deleteWorkflowGoalAsync(savedGoal.workflowGoalId);
  await wf.deleteWorkflowWaitForActionAsync(savedAction.workflowWaitForActionId);
  assert.equal(await statusOf(wf.getWorkflowTriggerAsync(savedTrigger.workflowTriggerId)), 404);
  assert.equal(await statusOf(wf.getWorkflowGoalAsync(savedGoal.workflowGoalId)), 404);
  assert.equal(await statusOf(wf.getWorkflowWaitForActionAsync(savedAction.workflowWaitForActionId)), 404);
  const after = await wf.getEmailFlowAsync(saved.emailFlowId);
  assert.deepEqual(after.triggers, []);
  assert.deepEqual(after.goals, []);
});

test('persons are enrolled, run, moved by an event and removed', async () => {
  const wf = agent();
  const flow = await wf.createDefaultEmailFlowAsync();
  flow.name = 'Clicks';
  flow.status = 'Running';
  const wait = await wf.createDefaultWorkflowStepFromTypeAsync('WaitForAction');
  const action = await wf.createDefaultWorkflowWaitForActionAsync();
  action.actionType = 'LinkClicked';
  wait.actions = [action];
  const mail = await wf.createDefaultWorkflowStepFromTypeAsync('SendEmail');
  mail.subject = 'Thanks';
  flow.steps = [wait, mail];
  const saved = await wf.saveEmailFlowAsync(flow);
  const person = Number(FLOWS_PERSON);

  assert.deepEqual(await wf.tryAddPersonsToEmailFlowAsync(saved.emailFlowId, [person, 999999]), [true, false]);
  const ranAt = await wf.runAsync();
  assert.equal(typeof ranAt, 'string');
  assert.ok(!Number.isNaN(Date.parse(ranAt)), ranAt);

  const event = await wf.createDefaultWorkflowEventAsync();
  event.eventType = 'LinkClicked';
  event.attributes = `personId=${person}`;
  const result = await wf.sendEventAsync(event);
  assert.equal(result.eventType, 'LinkClicked');
  assert.equal(result.attributes, 'enrolled=0;goals=0;actions=1');

  // Its instance id, from the participant list (this system's own route), to remove it by.
  const listed = await fetch(`${FLOWS_URL}/v1/emailflows/${saved.emailFlowId}/participants`, {
    headers: { Authorization: `Bearer ${FLOWS_KEY}` },
  }).then((r) => r.json()).then((page) => page.items);
  assert.equal(listed[0].status, 'finished');
  assert.deepEqual(await wf.tryAddPersonsToEmailFlowAsync(saved.emailFlowId, [person]), [false], 'starts only once');
  assert.equal(await wf.removeParticipantsFromEmailFlowAsync(saved.emailFlowId, [listed[0].workflowInstanceId]), '');
});

test('the other defaults read, and the methods this system does not offer are 501s', async () => {
  const wf = agent();
  assert.deepEqual((await wf.createDefaultWorkflowFilterAsync()).restrictionGroups, []);
  assert.equal((await wf.createDefaultWorkflowEventAsync()).eventType, 'None');
  assert.equal((await wf.createDefaultWorkflowEventResultAsync()).eventType, 'None');
  assert.equal(await statusOf(wf.createEmailFlowContentAsync(1, 'content')), 501);
  assert.equal(await statusOf(wf.connectEmailFlowContentAsync(1, 2)), 501);
  assert.equal(await statusOf(wf.copyEmailFlowContentAsync(1, 2)), 501);
  assert.equal(await statusOf(wf.updateFormSubmissionsAsync(10)), 501);
  assert.equal(await statusOf(wf.getWorkflowFencingInfoAsync()), 501);
});

test('a bad request is a 400, and an agent without the token a 401', async () => {
  const wf = agent();
  const flow = await wf.createDefaultEmailFlowAsync();
  flow.status = 'Sleeping';
  const err = await wf.saveEmailFlowAsync(flow).catch((e) => e);
  assert.equal(err.response?.status, 400);
  assert.ok(err.response.data.errors.Status, JSON.stringify(err.response.data));

  // The client copies the token into an agent made after authenticating only.
  const api = new WebApi(FLOWS_URL);
  const early = api.getWorkflowAgent();
  assert.equal(await statusOf(early.createDefaultEmailFlowAsync()), 401);
});
