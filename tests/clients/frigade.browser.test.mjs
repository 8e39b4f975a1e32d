// Frigade's SDK (npm `@frigade/js` 0.9.12, bundled with esbuild, since it imports `uuid` bare) in headless
// Chromium, on a page served from another origin than the API: CORS proven by a real browser. Run by
// tests/e2e/clients.rs with FLOWS_URL, FLOWS_PUBLIC_KEY, FLOWS_SECRET_KEY (an admin's, to change the allowed
// origins), FLOWS_USER and FLOWS_CHROMIUM (the browser's executable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const { FLOWS_URL, FLOWS_PUBLIC_KEY, FLOWS_SECRET_KEY, FLOWS_USER, FLOWS_CHROMIUM } = process.env;
for (const name of ['FLOWS_URL', 'FLOWS_PUBLIC_KEY', 'FLOWS_SECRET_KEY', 'FLOWS_USER', 'FLOWS_CHROMIUM']) {
  assert.ok(process.env[name], `${name} is set`);
}

async function bundle() {
  const built = await build({
    stdin: { contents: "import { Frigade } from '@frigade/js'; window.Frigade = Frigade;", resolveDir: process.cwd() },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return built.outputFiles[0].text;
}

// The page's own server, on another port of 127.0.0.1: another origin than the API's.
async function servePage(sdk) {
  const server = http.createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title><script src="/sdk.js"></script>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

async function allowOrigins(origins) {
  const reply = await fetch(`${FLOWS_URL}/v1/settings/cors`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${FLOWS_SECRET_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ allowedOrigins: origins }),
  });
  assert.equal(reply.status, 200);
}

// A page's own call with the SDK's headers: 'read' when the browser lets the page read the answer.
function pageCall(page) {
  return page.evaluate(
    async ({ api, key }) => {
      try {
        const reply = await fetch(`${api}/v1/public/flowStates`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${key}`,
            'Content-Type': 'application/json',
            'x-frigade-sdk-version': '0.9.12',
            'x-frigade-sdk-platform': 'Javascript',
          },
          body: JSON.stringify({ userId: 'browser-probe' }),
        });
        return (await reply.json()).eligibleFlows ? 'read' : 'no flows';
      } catch (e) {
        return e.name;
      }
    },
    { api: FLOWS_URL, key: FLOWS_PUBLIC_KEY },
  );
}

test("the SDK works from another origin's page in Chromium, as the organization's origins allow", async () => {
  const { server, origin } = await servePage(await bundle());
  const browser = await chromium.launch({ executablePath: FLOWS_CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(`${origin}/`);

    // The SDK loads the flow, completes a step (a preflighted POST with its headers), and moves on.
    const walked = await page.evaluate(
      async ({ api, key, user }) => {
        const frigade = new window.Frigade(key, { apiUrl: api, userId: user });
        const flow = await frigade.getFlow('onboarding_tour');
        await flow.steps.get('s1').complete();
        return {
          failed: frigade.hasFailedToLoad(),
          completed: flow.steps.get('s1').$state.completed,
          current: flow.getCurrentStep().id,
        };
      },
      { api: FLOWS_URL, key: FLOWS_PUBLIC_KEY, user: FLOWS_USER },
    );
    assert.deepEqual(walked, { failed: false, completed: true, current: 's2' });
    assert.deepEqual(warnings, []);

    // The organization lists another origin only: the browser keeps the answer from this page.
    await allowOrigins(['https://elsewhere.example']);
    assert.equal(await pageCall(page), 'TypeError');

    // It lists this page's origin: the page reads again.
    await allowOrigins([origin]);
    assert.equal(await pageCall(page), 'read');
  } finally {
    await browser.close();
    server.close();
  }
});
