// The staff console in Chromium: staff land on their first function page,
// read live figures from the demo business, move between pages without
// reloading, and watch a new event appear as it happens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startKiln, launchChromium, screenshotDir, signIn as signInAt, waitForHydration } from '../support/kiln.mjs';

let kiln;
let browser;
// The owner's signed-in session (cookies), for the tests that start from a
// signed-in owner: signing in once for all of them keeps the file under
// Kiln's limit of five sign-in attempts per account.
let ownerSession;

before(async () => {
  await mkdir(screenshotDir, { recursive: true });
  kiln = await startKiln();
  browser = await launchChromium();
  const context = await browser.newContext();
  await signIn(await context.newPage(), 'owner@fenwick.example', 'fenwick-demo-owner');
  ownerSession = await context.storageState();
  await context.close();
});

/// A new browser window of the signed-in owner, at a desktop's size.
function ownerContext() {
  return browser.newContext({ viewport: { width: 1366, height: 900 }, storageState: ownerSession });
}

after(async () => {
  await browser?.close();
  if (kiln) {
    const { code, log } = await kiln.stop();
    assert.equal(code, 0, `kiln did not stop cleanly on SIGTERM:\n${log}`);
  }
});

function signIn(page, email, password) {
  return signInAt(page, kiln.url, email, password);
}

/// Issues an API token from inside the page, as an administrator's
/// script would: a new Platform Manager event, made without reloading.
async function issueToken(page, label) {
  const status = await page.evaluate(async (label) => {
    const response = await fetch('/api/platform-manager/tokens/issue', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: { holder: 'category:read', label } }),
    });
    return response.status;
  }, label);
  assert.equal(status, 200);
}

/// Waits until Category Management's agent has taken its first step
/// (it looks at the demo as the server starts), reloading the page.
async function agentHasStepped(page) {
  const steps = page.locator('[data-table="agent-steps"] tbody tr');
  for (let attempt = 0; attempt < 50 && (await steps.count()) === 0; attempt += 1) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  assert.ok((await steps.count()) > 0, 'the agent took no step');
}

function metric(page, key) {
  return page.locator(`[data-metric="${key}"] [data-value]`);
}

test('the owner lands on the Business Overview, moves between pages without reloading and sees new events live', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  await signIn(page, 'owner@fenwick.example', 'fenwick-demo-owner');
  await page.waitForURL(`${kiln.url}/staff/overview`);
  await waitForHydration(page);
  // The address changes as soon as the sign-in answers; the page follows
  // once its code (a lazily loaded part of the WebAssembly) has arrived.
  await page.getByRole('heading', { level: 1, name: 'Business Overview' }).waitFor();
  assert.equal(await metric(page, 'listed-products').innerText(), '17');
  assert.equal(await metric(page, 'dealer-companies').innerText(), '6');
  await page.screenshot({ path: path.join(screenshotDir, 'staff-overview.png'), fullPage: true });

  // A marker on the window survives only if the page never reloads.
  await page.evaluate(() => { window.kilnNoReload = true; });

  // The Business Overview follows every function's events: a new one
  // counts in the log's figure and leads its feed.
  const logged = Number(await metric(page, 'events').innerText());
  await issueToken(page, 'overview check');
  await page.waitForFunction(
    (expected) => document.querySelector('[data-metric="events"] [data-value]')?.textContent.trim() === expected,
    String(logged + 1),
    { timeout: 10_000 },
  );
  await page.locator('[data-feed] li').first().locator('[data-field="event-type"]', { hasText: 'ApiTokenIssued' }).waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.kilnNoReload), true, 'the page reloaded');

  await page.locator('nav a[data-function="platform-manager"]').click();
  await page.waitForURL(`${kiln.url}/staff/platform-manager`);
  await page.getByRole('heading', { level: 1, name: 'Platform Manager' }).waitFor();
  assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'Platform Manager');
  await page.locator('[data-table="change-log"]').waitFor();
  const tokensBefore = Number(await metric(page, 'live-api-tokens').innerText());

  await issueToken(page, 'live feed check');
  await page.locator('[data-feed] li').first().locator('[data-field="event-type"]', { hasText: 'ApiTokenIssued' }).waitFor({ timeout: 10_000 });
  await page.locator('[data-table="api-tokens"]', { hasText: 'live feed check' }).waitFor();
  assert.equal(await metric(page, 'live-api-tokens').innerText(), String(tokensBefore + 1));
  assert.equal(await page.evaluate(() => window.kilnNoReload), true, 'the page reloaded');
  await page.screenshot({ path: path.join(screenshotDir, 'staff-platform-manager.png'), fullPage: true });

  await page.locator('nav a[data-function="database-manager"]').click();
  await page.waitForURL(`${kiln.url}/staff/database-manager`);
  await page.locator('[data-table="event-catalog"]').waitFor();
  const events = Number(await metric(page, 'events').innerText());
  // The Database Manager watches every function's events.
  await issueToken(page, 'database manager check');
  await page.waitForFunction(
    (expected) => document.querySelector('[data-metric="events"] [data-value]')?.textContent.trim() === expected,
    String(events + 1),
    { timeout: 10_000 },
  );
  assert.equal(await page.evaluate(() => window.kilnNoReload), true, 'the page reloaded');
  await page.screenshot({ path: path.join(screenshotDir, 'staff-database-manager.png'), fullPage: true });

  await page.locator('nav a[data-function="hr"]').click();
  await page.waitForURL(`${kiln.url}/staff/hr`);
  // The previous page stays in view until the new one has loaded.
  await page.getByRole('heading', { level: 1, name: 'HR' }).waitFor();
  assert.equal(await page.locator('[data-field="status"]').innerText(), 'Not built yet');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a change request raised on a function page is triaged on the Platform Manager, and a rebuild ends with equal checksums', async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/staff/category`);
  await waitForHydration(page);

  await page.getByText('Raise a change request', { exact: true }).click();
  await page.getByLabel('What should change').fill('Show margin per product');
  await page.getByLabel('Impact: what gets better, or what hurts without it').fill('Pricing decisions need margins beside prices.');
  await page.getByLabel('Urgency').selectOption('high');
  await page.getByRole('button', { name: 'Raise the request' }).click();
  await page.waitForURL(`${kiln.url}/staff/category?raised=1`);
  const listed = page.locator('[data-table="change-requests"] li', { hasText: 'Show margin per product' });
  await listed.waitFor();
  assert.equal(await listed.locator('[data-field="status"]').innerText(), 'new');
  await page.screenshot({ path: path.join(screenshotDir, 'staff-change-request-raised.png'), fullPage: true });

  await page.locator('nav a[data-function="platform-manager"]').click();
  await page.waitForURL(`${kiln.url}/staff/platform-manager`);
  await page.locator('[data-triage]').waitFor();
  await page.getByLabel('Now').selectOption('scheduled');
  await page.getByLabel('Note').fill('phase 3');
  await page.getByRole('button', { name: 'Save the triage' }).click();
  await page.waitForURL(`${kiln.url}/staff/platform-manager?triaged=1`);
  const triaged = page.locator('[data-table="change-requests"] li', { hasText: 'Show margin per product' });
  await triaged.locator('[data-field="status"]', { hasText: 'scheduled' }).waitFor();
  await page.screenshot({ path: path.join(screenshotDir, 'staff-change-request-triaged.png'), fullPage: true });

  await page.locator('nav a[data-function="database-manager"]').click();
  await page.waitForURL(`${kiln.url}/staff/database-manager`);
  await page.getByRole('button', { name: 'Rebuild every projection' }).click();
  const verdict = page.locator('[data-field="rebuild-verdict"]');
  await verdict.waitFor({ timeout: 30_000 });
  assert.equal(await verdict.getAttribute('data-all-equal'), 'true', await verdict.innerText());
  assert.equal(await page.locator('[data-rebuild] progress').getAttribute('value'), '100');
  assert.ok(await page.locator('[data-rebuilt-table="change_requests"]').count() === 1);
  await page.locator('[data-rebuild]').screenshot({ path: path.join(screenshotDir, 'staff-rebuild.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('staff with two grants land on Category Management and see which pages they may not open', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, 'potter@fenwick.example', 'fenwick-demo-potter');
  await page.waitForURL(`${kiln.url}/staff/category`);
  await page.locator('[data-table="catalog"]').waitFor();
  assert.equal(await metric(page, 'listed-products').innerText(), '17');
  // On a phone the menu is folded away until asked for.
  await page.getByText('Functions', { exact: true }).click();
  const menu = page.locator('aside details');
  assert.match(await menu.innerText(), /Database Manager\s+no access/);
  await page.screenshot({ path: path.join(screenshotDir, 'staff-category-phone.png'), fullPage: true });
  const refused = await page.goto(`${kiln.url}/staff/database-manager`);
  assert.equal(refused.status(), 403);
  const eventLog = await page.goto(`${kiln.url}/staff/database-manager/events/1`);
  assert.equal(eventLog.status(), 403);
  await context.close();
});

test('Category Management charts six months of revenue, margin and units from the demo history', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await signIn(page, 'potter@fenwick.example', 'fenwick-demo-potter');
  await page.waitForURL(`${kiln.url}/staff/category`);
  const revenue = page.locator('[data-chart="revenue-by-month"]');
  await revenue.waitFor();
  // Six months of bars, most of them with sales (the demo spreads its
  // shoppers' orders over half a year), and a margin line over them.
  const months = await revenue.locator('svg > text[text-anchor="middle"]').count();
  assert.equal(months, 6);
  assert.ok((await revenue.locator('rect').count()) >= 5, 'too few months with sales');
  assert.equal(await revenue.locator('polyline').count(), 1);
  const units = page.locator('[data-chart="units-by-month"]');
  assert.ok((await units.locator('rect').count()) >= 10, 'units are not stacked by collection');
  const performance = page.locator('[data-table="product-performance"]');
  assert.equal(await performance.locator('tbody tr').count(), 17);
  await page.locator('[data-chart="revenue-by-month"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(screenshotDir, 'staff-category-performance.png'), fullPage: true });

  // The catalog sorts by price, cheapest first, then dearest first.
  await waitForHydration(page);
  const catalog = page.locator('[data-table="catalog"]');
  const prices = async () =>
    (await catalog.locator('tbody tr td:nth-child(5)').allInnerTexts()).map((price) => Number(price.replace(/[^0-9.]/g, '')));
  const sortByPrice = catalog.getByRole('button', { name: 'Base price' });
  await sortByPrice.click();
  await page.waitForFunction(() => document.querySelector('[data-table="catalog"] th[aria-sort="ascending"]'));
  const ascending = await prices();
  assert.equal(ascending.length, 17);
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  await sortByPrice.click();
  await page.waitForFunction(() => document.querySelector('[data-table="catalog"] th[aria-sort="descending"]'));
  const descending = await prices();
  assert.deepEqual(descending, [...ascending].reverse());
  await catalog.screenshot({ path: path.join(screenshotDir, 'staff-category-sorted.png') });
  await context.close();
});

test('a staff page reads completely without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInAt(page, kiln.url, 'owner@fenwick.example', 'fenwick-demo-owner', { javaScript: false });
  await page.waitForURL(`${kiln.url}/staff/overview`);
  await page.goto(`${kiln.url}/staff/customers`);
  assert.equal(await metric(page, 'dealer-companies').innerText(), '6');
  await page.locator('[data-table="dealer-companies"]', { hasText: 'Clay & Cup Café' }).waitFor();
  await page.screenshot({ path: path.join(screenshotDir, 'staff-customers-no-javascript.png'), fullPage: true });
  await context.close();
});

test('the Database Manager searches the event log by type and stream and reads one event in full', async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/staff/database-manager`);
  await waitForHydration(page);
  await page.locator('[data-link="event-log"]').click();
  await page.waitForURL(`${kiln.url}/staff/database-manager/events`);
  await page.getByRole('heading', { level: 1, name: 'Event log' }).waitFor();
  assert.equal(await page.locator('[data-results] li').count(), 50);
  await page.locator('[data-link="older"]').waitFor();

  await page.getByLabel('Event type').selectOption('OrderPlaced');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(`${kiln.url}/staff/database-manager/events?**`);
  await page.locator('[data-field="shown"]').waitFor();
  const types = await page.locator('[data-results] [data-field="event-type"]').allInnerTexts();
  assert.ok(types.length > 0);
  assert.deepEqual([...new Set(types)], ['OrderPlaced']);
  await page.screenshot({ path: path.join(screenshotDir, 'staff-event-log.png'), fullPage: true });

  // One order in full: its payload, then every event of its stream.
  await page.locator('[data-results] li a').first().click();
  await page.waitForURL(/\/staff\/database-manager\/events\/\d+$/);
  const payload = page.locator('[data-field="payload"]');
  await payload.waitFor();
  assert.match(await payload.innerText(), /"lines"/);
  assert.equal(await page.locator('[data-field="Type"]').innerText(), 'OrderPlaced');
  await page.screenshot({ path: path.join(screenshotDir, 'staff-event-detail.png'), fullPage: true });
  await page.getByRole('link', { name: 'Every event of this stream' }).click();
  await page.waitForURL(/stream=order-/);
  await page.locator('[data-field="shown"]').waitFor();
  const streams = await page.locator('[data-results] li').count();
  assert.ok(streams >= 1);

  // A bad date is refused with the field named.
  await page.goto(`${kiln.url}/staff/database-manager/events?from=yesterday`);
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /“yesterday” in from is not a date/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an administrator issues an API token from the Platform Manager page, sees its secret once, and grants a role', async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/staff/platform-manager`);
  await waitForHydration(page);
  const form = page.locator('[data-form="issue-token"]');

  // Without a holder the server refuses, and says why.
  await form.getByRole('button', { name: 'Issue the token' }).click();
  await form.getByRole('alert').waitFor();

  await form.getByLabel('Who holds it').selectOption('category:read');
  await form.getByLabel('What it is for').fill('pricing bot');
  await form.getByRole('button', { name: 'Issue the token' }).click();
  const secret = form.locator('[data-field="secret"]');
  await secret.waitFor();
  assert.ok((await secret.innerText()).trim().length >= 20);
  await page.locator('[data-table="api-tokens"]', { hasText: 'pricing bot' }).waitFor({ timeout: 10_000 });
  await form.screenshot({ path: path.join(screenshotDir, 'staff-token-issued.png') });

  // Revoked from the page, it is listed as revoked.
  const [, token] = (await form.getByRole('status').innerText()).match(/Token (tok-[0-9a-f]{16})/);
  const revoke = page.locator('[data-form="revoke-token"]');
  await revoke.getByLabel('Token').selectOption(token);
  await revoke.getByRole('button', { name: 'Revoke the token' }).click();
  await page.waitForURL(`${kiln.url}/staff/platform-manager?token_revoked=1`);
  await page.locator('[data-table="api-tokens"] tr', { hasText: token })
    .filter({ hasText: 'revoked' })
    .waitFor();

  // A role granted from the page is listed with the staff member. (The
  // page is opened anew: the revocation's own event reloads it once more,
  // which could empty the form between filling it and sending it.)
  await page.goto(`${kiln.url}/staff/platform-manager`);
  await waitForHydration(page);
  const roles = page.locator('[data-form="role-change"]');
  await roles.getByLabel("Staff member's email").fill('potter@fenwick.example');
  await roles.getByLabel('Role').selectOption('customers:view');
  await roles.getByRole('button', { name: 'Save the role' }).click();
  await page.waitForURL(`${kiln.url}/staff/platform-manager?role_changed=1`);
  await page.locator('[data-table="staff"] tr', { hasText: 'potter@fenwick.example' })
    .filter({ hasText: 'customers:view' })
    .waitFor();
  await page.locator('[data-form="role-change"]').screenshot({ path: path.join(screenshotDir, 'staff-role-granted.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('an event an integrity check flags waits in the quarantine until a person releases it', async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  await kiln.damage("UPDATE catalog_products SET base_price_minor = 0 WHERE sku = 'PLN-HANG-5'");
  assert.match(await kiln.checkIntegrity(), /product PLN-HANG-5 is listed at 0 minor units/);

  await page.goto(`${kiln.url}/staff/database-manager`);
  await waitForHydration(page);
  assert.equal(await metric(page, 'quarantined').innerText(), '1');
  const card = page.locator('[data-anomaly]');
  await card.waitFor();
  assert.match(await card.innerText(), /PLN-HANG-5 is listed at 0 minor units/);
  // The integrity worker reads the log after the server: it is listed
  // with its checkpoint.
  await page.locator('[data-table="projection-status"] tr', { hasText: 'integrity-checks' }).waitFor();
  await page.locator('[data-commands="quarantine"]').screenshot({ path: path.join(screenshotDir, 'staff-quarantine.png') });

  await card.getByLabel('Note (optional)').fill('repaired by a rebuild');
  await card.getByRole('button', { name: 'Release' }).click();
  await page.waitForURL(`${kiln.url}/staff/database-manager?verdict=released`);
  await page.getByText('Released: the events stand').waitFor();
  await page.locator('[data-field="quarantine-empty"]').waitFor();
  await page.locator('[data-table="quarantine"] tr', { hasText: 'released by user:' })
    .filter({ hasText: 'repaired by a rebuild' })
    .waitFor();
  assert.equal(await metric(page, 'quarantined').innerText(), '0');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an agent proposes a base price through the API, the card appears live, and a person approves it', async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/staff/category`);
  await waitForHydration(page);
  await page.locator('[data-section="decisions"]').waitFor();
  // Category Management's own agent has looked at the demo by now (its
  // first step is listed); what it proposed waits beside this one.
  await agentHasStepped(page);
  const waiting = Number(await metric(page, 'decisions-waiting').innerText());
  await page.evaluate(() => { window.kilnNoReload = true; });

  // The administrator issues an outside agent its token; it proposes from
  // outside the browser, with the token alone.
  const issued = await page.evaluate(async () => {
    const response = await fetch('/api/platform-manager/tokens/issue', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ request: { holder: 'category:propose', label: 'pricing agent' } }),
    });
    return response.json();
  });
  const proposal = new URLSearchParams({
    'form[sku]': 'TBL-JUG-1L',
    'form[price]': '48.00',
    'form[summary]': 'Raise the pouring jug to $48: it sells out every month and rivals charge $52',
    'form[reasoning]': 'Three stockouts in six months; two makers sell a similar litre jug for $52 and $55.',
    'form[risk]': 'medium',
    'form[agents_involved][0]': 'fulfillment',
    'form[data_considered][0][label]': 'Product performance, last six months',
    'form[data_considered][0][href]': '/api/functions/category/tables/product-performance',
    'form[data_considered][1][label]': 'Stock counts',
    'form[data_considered][1][href]': '/staff/fulfillment',
  });
  const answer = await fetch(`${kiln.url}/api/category/proposals/price`, {
    method: 'POST',
    headers: { authorization: `Bearer ${issued.secret}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: proposal,
  });
  assert.equal(answer.status, 200, await answer.clone().text());
  const decision = await answer.json();
  assert.match(decision, /^dec-[0-9a-f]{16}$/);

  // The card arrives without a reload.
  const card = page.locator(`[data-decision="${decision}"]`);
  await card.waitFor({ timeout: 10_000 });
  assert.equal(await card.locator('[data-field="change"]').innerText(), 'Base price of TBL-JUG-1L from $44.00 to $48.00');
  assert.equal(await card.locator('[data-field="risk"]').innerText(), 'Medium risk');
  assert.match(await card.locator('[data-field="agents"]').innerText(), /agent:category, agent:fulfillment/);
  assert.match(await card.locator('[data-field="proposed-by"]').innerText(), /^integration:tok-/);
  assert.equal(await metric(page, 'decisions-waiting').innerText(), String(waiting + 1));
  assert.equal(await page.evaluate(() => window.kilnNoReload), true, 'the page reloaded');
  await page.locator('[data-section="decisions"]').screenshot({ path: path.join(screenshotDir, 'staff-decision-waiting.png') });

  // A rejection without a reason is refused on the card; an approval goes through.
  await card.locator('[data-verdict="reject"]').getByRole('button', { name: 'Reject' }).click();
  await card.getByRole('alert').waitFor();
  assert.match(await card.getByRole('alert').innerText(), /say why the proposal is rejected/);
  await card.getByLabel('Comment (optional)').fill('Agreed: before the spring fair');
  await card.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${kiln.url}/staff/category?decision=approved`);
  const decided = page.locator(`[data-decision="${decision}"][data-status="approved"]`);
  await decided.waitFor();
  assert.match(await decided.locator('[data-field="verdict"]').innerText(), /^Approved by user:acc-/);
  assert.match(await decided.locator('[data-field="comment"]').innerText(), /Agreed: before the spring fair/);
  await page.locator('[data-table="catalog"] tr', { hasText: 'TBL-JUG-1L' }).filter({ hasText: '$48.00' }).waitFor();
  assert.equal(await metric(page, 'decisions-waiting').innerText(), String(waiting));
  await page.locator('[data-section="decisions"]').screenshot({ path: path.join(screenshotDir, 'staff-decision-approved.png') });

  // The agent tells Fulfillment's agent about the decision; the message
  // appears in the page's conversations without a reload.
  await page.evaluate(() => { window.kilnNoReload = true; });
  const message = await fetch(`${kiln.url}/api/agents/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${issued.secret}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      'form[to]': 'fulfillment',
      'form[text]': 'The jug goes to $48 from today: expect a slower month before the spring fair.',
      'form[about]': decision,
    }),
  });
  assert.equal(message.status, 200, await message.clone().text());
  const thread = page.locator('[data-section="conversations"] [data-conversation]');
  await thread.locator('[data-field="text"]', { hasText: 'The jug goes to $48 from today' }).waitFor({ timeout: 10_000 });
  assert.match(await thread.locator('[data-field="route"]').first().innerText(), /agent:category → agent:fulfillment/);
  assert.equal(await page.evaluate(() => window.kilnNoReload), true, 'the page reloaded');
  await page.locator('[data-section="conversations"]').screenshot({ path: path.join(screenshotDir, 'staff-conversation.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a price typed ten times too high waits in the quarantine, and the shop keeps the old price until a person releases it', async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/staff/category`);
  await waitForHydration(page);
  // The pasta bowl is $26.00; someone types 2600 for 26.00.
  const form = page.locator('[data-form="base-price"]');
  await form.getByLabel('Product').selectOption('TBL-PASTA-8');
  await form.getByLabel('New base price').fill('2600');
  await form.getByLabel('Why').fill('New season');
  await form.getByRole('button', { name: 'Change the price' }).click();
  await page.waitForURL(`${kiln.url}/staff/category?changed=held`);
  await page.getByText('it waits in the Database Manager').waitFor();
  await page.locator('[data-table="catalog"] tr', { hasText: 'TBL-PASTA-8' }).filter({ hasText: '$26.00' }).waitFor();
  const shop = await context.newPage();
  await shop.goto(`${kiln.url}/shop/TBL-PASTA-8`);
  await shop.getByText('$26.00').first().waitFor();

  await page.goto(`${kiln.url}/staff/database-manager`);
  await waitForHydration(page);
  assert.equal(await metric(page, 'held-back').innerText(), '1');
  const card = page.locator('[data-anomaly]', { hasText: 'TBL-PASTA-8' });
  await card.waitFor();
  assert.match(await card.innerText(), /more than ten times what it was/);
  assert.match(await card.locator('[data-field="held-back"]').innerText(), /Held back from the tables until you decide: 1 event/);
  await page.locator('[data-commands="quarantine"]').screenshot({ path: path.join(screenshotDir, 'staff-quarantine-held.png') });

  await card.getByLabel('Note (optional)').fill('Checked: the pasta plates are now hand-painted');
  await card.getByRole('button', { name: 'Release' }).click();
  await page.waitForURL(`${kiln.url}/staff/database-manager?verdict=released`);
  // The address changes before the page's figures are read again.
  await card.waitFor({ state: 'detached' });
  await page.locator('[data-metric="held-back"] [data-value]', { hasText: /^0$/ }).waitFor();
  await shop.reload();
  await shop.getByText('$2,600.00').first().waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a non-conformance raised on the Quality page is listed there and counted on the Business Overview', async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${kiln.url}/staff/quality`);
  await waitForHydration(page);
  assert.equal(await page.locator('[data-field="status"]').innerText(), 'Live');

  await page.getByLabel('Source').selectOption('supplier');
  await page.getByLabel('What does not conform').fill('Cracked clay bodies from the March delivery');
  await page.getByLabel('How it was found, what was seen').fill('Three of twelve bags crack on drying.');
  await page.getByRole('button', { name: 'Raise it' }).click();
  await page.waitForURL(`${kiln.url}/staff/quality?non-conformance=raised`);
  const listed = page.locator('[data-table="non-conformances"] tr', { hasText: 'Cracked clay bodies from the March delivery' });
  await listed.waitFor();
  assert.match(await listed.innerText(), /Supplier material/);
  await page.screenshot({ path: path.join(screenshotDir, 'staff-quality.png'), fullPage: true });

  await page.locator('nav a[data-function="overview"]').click();
  await page.waitForURL(`${kiln.url}/staff/overview`);
  await metric(page, 'non-conformances').waitFor();
  assert.equal(await metric(page, 'non-conformances').innerText(), '1');
  assert.deepEqual(problems, []);
  await context.close();
});

test("Category Management's agent proposes from the demo; under an autonomy policy a small change is carried out at once, a large one waits, and a person reverses the small one", async () => {
  const context = await ownerContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

  // The agent looked at the demo as the server started: the slate mug,
  // selling fast under two rivals' prices, waits for a person.
  await page.goto(`${kiln.url}/staff/category`);
  await waitForHydration(page);
  await agentHasStepped(page);
  const slate = page.locator('[data-decision][data-status="pending"]', { hasText: 'Raise MUG-SPECKLE-12-SLT from $28.00 to $30.00' });
  await slate.waitFor();
  assert.match(await slate.locator('[data-field="proposed-by"]').innerText(), /^agent:category · /);
  await page.locator('[data-table="agent-steps"]').screenshot({ path: path.join(screenshotDir, 'staff-agent-steps.png') });

  // The owner lets the agent carry out base price changes under 7 %.
  await page.goto(`${kiln.url}/staff/platform-manager`);
  await waitForHydration(page);
  const autonomy = page.locator('[data-autonomy]');
  await autonomy.locator('select[name="form[kind]"]').selectOption('base-price');
  await autonomy.locator('select[name="form[policy]"]').selectOption('carry_out_below');
  await autonomy.locator('input[name="form[limit_percent]"]').fill('7');
  await autonomy.getByRole('button', { name: 'Set the policy' }).click();
  await page.waitForURL(`${kiln.url}/staff/platform-manager?changed=autonomy`);
  await page.locator('[data-table="autonomy-policies"] tr', { hasText: 'carry out below 7 %' }).waitFor();
  await page.locator('[data-autonomy]').screenshot({ path: path.join(screenshotDir, 'staff-autonomy-policy.png') });

  // A rival's price noted on the indigo tide mug, sold out and selling,
  // wakes the agent: $32 → $34 is 6.25 %, so it is carried out at once and
  // marked so; the slate mug's 7.14 % still waits.
  await page.goto(`${kiln.url}/staff/category`);
  await waitForHydration(page);
  const note = page.locator('[data-form="market-note"]');
  await note.locator('select[name="form[sku]"]').selectOption('MUG-TIDE-10-IND');
  await note.locator('input[name="form[source]"]').fill('Hearth & Kiln online shop');
  await note.locator('input[name="form[their_price]"]').fill('36.00');
  await note.locator('textarea[name="form[note]"]').fill('Their indigo mug, same size');
  await note.getByRole('button', { name: 'Record the note' }).click();
  await page.waitForURL(`${kiln.url}/staff/category?changed=noted`);
  const automatic = page.locator('[data-decision][data-status="carried_out_automatically"]', { hasText: 'MUG-TIDE-10-IND' });
  for (let attempt = 0; attempt < 50 && (await automatic.count()) === 0; attempt += 1) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  await automatic.waitFor({ timeout: 5_000 });
  assert.equal(await automatic.locator('[data-field="change"]').innerText(), 'Base price of MUG-TIDE-10-IND from $32.00 to $34.00');
  assert.match(await automatic.locator('[data-field="verdict"]').innerText(), /^Carried out automatically by agent:category/);
  assert.match(await automatic.locator('[data-field="comment"]').innerText(), /carry out below 7 %.*6\.25 % change/);
  await page.locator('[data-table="catalog"] tr', { hasText: 'MUG-TIDE-10-IND' }).filter({ hasText: '$34.00' }).waitFor();
  // The larger one still waits.
  await slate.waitFor();
  await automatic.screenshot({ path: path.join(screenshotDir, 'staff-decision-automatic.png') });

  // A person reverses it: a reason is required, then the price goes back.
  await automatic.getByRole('button', { name: 'Reverse' }).click();
  await automatic.getByRole('alert').waitFor();
  assert.match(await automatic.getByRole('alert').innerText(), /say why .* is reversed/);
  await automatic.getByLabel('Why reverse it').fill('Not before the spring catalogue is out');
  await automatic.getByRole('button', { name: 'Reverse' }).click();
  await page.waitForURL(`${kiln.url}/staff/category?decision=reversed`);
  const reversed = page.locator('[data-decision]', { hasText: 'MUG-TIDE-10-IND' }).filter({ has: page.locator('[data-field="reversal"]') });
  await reversed.waitFor();
  assert.match(await reversed.locator('[data-field="reversal"]').innerText(), /^Reversed by user:acc-/);
  assert.equal(await reversed.locator('[data-field="status"]').innerText(), 'Carried out automatically, then reversed');
  await page.locator('[data-table="catalog"] tr', { hasText: 'MUG-TIDE-10-IND' }).filter({ hasText: '$32.00' }).waitFor();
  await reversed.screenshot({ path: path.join(screenshotDir, 'staff-decision-reversed.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
