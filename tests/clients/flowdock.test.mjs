// Flowdock's own node client (npm `flowdock` 0.9.1), unchanged, against the local server: only its base URL and key
// change. Run by tests/e2e/clients.rs with FLOWS_URL, FLOWS_ORG (the organization's parameterized name),
// FLOWS_OWNER_KEY (an admin's key), FLOWS_MEMBER_KEY and FLOWS_MEMBER_ID (a member's key and id).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Session } = require('flowdock');

const { FLOWS_URL, FLOWS_ORG, FLOWS_OWNER_KEY, FLOWS_MEMBER_KEY } = process.env;
const MEMBER_ID = Number(process.env.FLOWS_MEMBER_ID);
for (const name of ['FLOWS_URL', 'FLOWS_ORG', 'FLOWS_OWNER_KEY', 'FLOWS_MEMBER_KEY', 'FLOWS_MEMBER_ID']) {
  assert.ok(process.env[name], `${name} is set`);
}

// As its README says: a key alone (the password is then the string "undefined"), and an 'error' listener.
function session(key) {
  const s = new Session(key, undefined, FLOWS_URL);
  s.on('error', () => {});
  return s;
}

// The client's callbacks as promises: resolves [body, response], rejects with the client's own error.
function call(s, method, ...args) {
  return new Promise((resolve, reject) => {
    s[method](...args, (err, body, res) => (err ? reject(err) : resolve([body, res])));
  });
}

const owner = session(FLOWS_OWNER_KEY);
const member = session(FLOWS_MEMBER_KEY);
const org = FLOWS_ORG;

function assertFlow(flow) {
  for (const field of ['id', 'name', 'parameterized_name', 'url', 'web_url', 'access_mode']) {
    assert.equal(typeof flow[field], 'string', `${field} of ${JSON.stringify(flow)}`);
  }
  for (const field of ['open', 'joined']) assert.equal(typeof flow[field], 'boolean', field);
  assert.equal(flow.unread_mentions, 0);
  for (const field of ['id', 'name', 'parameterized_name', 'user_limit', 'user_count', 'active', 'url']) {
    assert.notEqual(flow.organization[field], undefined, `organization.${field}`);
  }
  assert.equal(flow.organization.parameterized_name, org);
}

test('the whole flow resource through the official client', async () => {
  // Create (POST /flows/:org): 201 with the seed's object, the creator its one user.
  const [created, createdRes] = await call(owner, 'post', `/flows/${org}`, { name: 'Client flow' });
  assert.equal(createdRes.statusCode, 201);
  assertFlow(created);
  assert.equal(created.parameterized_name, 'client-flow');
  assert.equal(created.users.length, 1);
  assert.ok(/^[0-9]+$/.test(createdRes.headers['flowdock-user']));

  // A clashing name gets a suffixed slug.
  const [clash] = await call(owner, 'post', `/flows/${org}`, { name: 'Client Flow' });
  assert.equal(clash.parameterized_name, 'client-flow-2');

  // List (session.flows(): GET /flows?users=1).
  const [flows, flowsRes] = await call(owner, 'flows');
  assert.ok(Array.isArray(flows));
  assert.ok(flows.some((f) => f.id === created.id));
  flows.forEach(assertFlow);
  assert.ok(flows.every((f) => Array.isArray(f.users) && f.joined === true));
  assert.equal(flowsRes.headers['flowdock-user'], createdRes.headers['flowdock-user']);

  // Get by names (always with users) and find by id (the query goes in `data` for a GET).
  const [got] = await call(owner, 'get', `/flows/${org}/client-flow`, {});
  assert.equal(got.id, created.id);
  assert.equal(got.users.length, 1);
  const [found] = await call(owner, 'get', '/flows/find', { id: created.id });
  assert.equal(found.id, created.id);

  // The member does not see an invitation-only flow: 404, which the client reports as its status.
  await assert.rejects(call(member, 'get', `/flows/${org}/client-flow`, {}), /Received status 404/);

  // Update (PUT): rename keeps the id and slug; the creator opens it to the organization.
  const [renamed] = await call(owner, 'put', `/flows/${org}/client-flow`, { name: 'Client flow, renamed' });
  assert.equal(renamed.name, 'Client flow, renamed');
  assert.equal(renamed.parameterized_name, 'client-flow');
  const [opened] = await call(owner, 'put', `/flows/${org}/client-flow`, { access_mode: 'organization' });
  assert.equal(opened.access_mode, 'organization');
  assert.equal(typeof opened.join_url, 'string');

  // The member finds it in /flows/all (not joined), joins with open: true, and then lists it.
  const [all] = await call(member, 'get', '/flows/all', { users: 0 });
  const listed = all.find((f) => f.id === created.id);
  assert.equal(listed.joined, false);
  assert.equal(listed.open, false);
  const [joined, joinedRes] = await call(member, 'put', `/flows/${org}/client-flow`, { open: true });
  assert.equal(joined.joined, true);
  assert.equal(joinedRes.headers['flowdock-user'], String(MEMBER_ID));
  const [mine] = await call(member, 'flows');
  assert.ok(mine.some((f) => f.id === created.id));

  // Only admins and the creator change disabled and access_mode.
  await assert.rejects(call(member, 'put', `/flows/${org}/client-flow`, { disabled: true }), /Received status 403/);

  // Members: list, add (already a member: 200), block (then a 404 to them), let back.
  const [users] = await call(owner, 'get', `/flows/${org}/client-flow/users`, {});
  assert.equal(users.length, 2);
  const [, addRes] = await call(owner, 'post', `/flows/${org}/client-flow/users`, { id: MEMBER_ID });
  assert.equal(addRes.statusCode, 200);
  const [blocked] = await call(owner, 'put', `/flows/${org}/client-flow/users/${MEMBER_ID}`, { disabled: true });
  assert.equal(blocked.disabled, true);
  await assert.rejects(call(member, 'get', `/flows/${org}/client-flow`, {}), /Received status 404/);
  await call(owner, 'put', `/flows/${org}/client-flow/users/${MEMBER_ID}`, { disabled: false });
  const [back] = await call(member, 'get', `/flows/${org}/client-flow`, {});
  assert.equal(back.id, created.id);

  // Join URL: read; a new one by a body-less POST (the client sends an empty body and leaves the answer unparsed);
  // then deleted (DELETE sends `{}`; 204).
  const [url] = await call(owner, 'get', `/flows/${org}/client-flow/join_url`, {});
  assert.equal(url.join_url, opened.join_url);
  const [renewedRaw, renewedRes] = await call(owner, 'post', `/flows/${org}/client-flow/join_url`, undefined);
  assert.equal(renewedRes.statusCode, 201);
  const renewed = JSON.parse(renewedRaw);
  assert.notEqual(renewed.join_url, url.join_url);
  const invitation = renewed.join_url.split('/').pop();
  const [viaInvitation] = await call(member, 'post', `/invitations/${invitation}`, {});
  assert.equal(viaInvitation.joined, true);
  const [, deletedRes] = await call(owner, 'delete', `/flows/${org}/client-flow/join_url`);
  assert.equal(deletedRes.statusCode, 204);
  await assert.rejects(call(owner, 'get', `/flows/${org}/client-flow/join_url`, {}), /Received status 404/);

  // Archive: the flow leaves the lists.
  await call(owner, 'put', `/flows/${org}/client-flow`, { disabled: true });
  const [after] = await call(member, 'flows');
  assert.ok(!after.some((f) => f.id === created.id));

  // A wrong key is a 401.
  await assert.rejects(call(session('sk_nonsense'), 'flows'), /Received status 401/);
});
