// The agents at work in Chromium: the briefing's peer-to-peer example with
// today's functions. On the demo business, Category Management's agent
// notices the pasta bowl's overstock, asks Fulfillment's agent, which
// answers with the stock it consulted; on its agreement the cut is
// proposed; a person approves it; and the conversation, the decision and
// the events link to each other on both functions' pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startKiln, launchChromium, screenshotDir, signIn, waitForHydration } from '../support/kiln.mjs';

let kiln;
let browser;

before(async () => {
  await mkdir(screenshotDir, { recursive: true });
  kiln = await startKiln();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (kiln) {
    const { code, log } = await kiln.stop();
    assert.equal(code, 0, `kiln did not stop cleanly on SIGTERM:\n${log}`);
  }
});

test("Category Management's agent asks Fulfillment's, which answers with the stock; on its agreement a cut is proposed, a person approves it, and both pages link the thread and the decision", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await signIn(page, kiln.url, 'owner@fenwick.example', 'fenwick-demo-owner');

  // The agents work as the server starts: a question, an answer, a
  // proposal, each a step of its own. The page shows them once done.
  await page.goto(`${kiln.url}/staff/category`);
  await waitForHydration(page);
  const card = page.locator('[data-decision][data-status="pending"]', { hasText: 'Cut TBL-PASTA-8 from $26.00 to $23.50' });
  for (let attempt = 0; attempt < 75 && (await card.count()) === 0; attempt += 1) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  await card.waitFor({ timeout: 5_000 });
  const decision = await card.getAttribute('data-decision');
  assert.match(await card.locator('[data-field="agents"]').innerText(), /agent:category, agent:fulfillment/);
  const threadLink = card.locator('[data-field="data"]', { hasText: "Conversation with Fulfillment's agent" });
  const conversation = (await threadLink.innerText()).match(/conv-[0-9a-f]{16}/)[0];
  assert.equal(await threadLink.getAttribute('href'), `/staff/category#${conversation}`);

  // The thread on Category Management's page: ask, agree (with what was
  // consulted), and the note naming the decision.
  const thread = page.locator(`[data-conversation="${conversation}"]`);
  await thread.waitFor();
  const intents = await thread.locator('[data-message]').evaluateAll((messages) => messages.map((message) => message.dataset.intent));
  assert.deepEqual(intents, ['ask', 'agree', 'note']);
  const agreed = thread.locator('[data-intent="agree"]');
  assert.match(await agreed.locator('[data-field="text"]').innerText(), /^Agreed: \d+ available .* counted on \d{4}-\d\d-\d\d/);
  assert.match(await agreed.locator('[data-field="consulted"]').innerText(), /Stock on hand/);
  assert.equal(await thread.locator('[data-field="about"]').innerText(), decision);
  await thread.screenshot({ path: path.join(screenshotDir, 'agents-conversation-category.png') });
  await card.screenshot({ path: path.join(screenshotDir, 'agents-proposal-from-conversation.png') });

  // A person approves it: the price changes.
  await card.getByLabel('Comment (optional)').fill('Agreed with both agents: clear the shelf');
  await card.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL(`${kiln.url}/staff/category?decision=approved`);
  await page.locator(`[data-decision="${decision}"][data-status="approved"]`).waitFor();
  await page.locator('[data-table="catalog"] tr', { hasText: 'TBL-PASTA-8' }).filter({ hasText: '$23.50' }).waitFor();

  // The agent's health: working, its proposals and the person's verdict,
  // its messages.
  const health = page.locator('[data-table="agent-health"] tbody tr', { hasText: 'agent:category' });
  await health.waitFor();
  const cells = await health.locator('td').allInnerTexts();
  assert.match(cells[1], /^Working: up to #\d+ at \d\d:\d\d:\d\d UTC$/);
  assert.equal(cells[3], '2 proposed: 1 approved, 0 rejected, 0 carried out automatically (0 reversed)');
  assert.equal(cells[4], '100 % / 0 %');
  assert.equal(cells[5], '2 sent (0 escalated); 0 guards fired', 'the question and the note');
  await page.locator('[data-table="agent-health"]').screenshot({ path: path.join(screenshotDir, 'agents-health-category.png') });

  // Fulfillment's page shows the same thread; its link to the decision
  // leads to the approved card on Category Management's page, and the
  // card's history to the product's events.
  await page.goto(`${kiln.url}/staff/fulfillment`);
  await waitForHydration(page);
  const there = page.locator(`[data-conversation="${conversation}"]`);
  await there.waitFor();
  assert.match(await there.locator('[data-intent="ask"] [data-field="route"]').innerText(), /agent:category → agent:fulfillment/);
  await there.screenshot({ path: path.join(screenshotDir, 'agents-conversation-fulfillment.png') });
  await there.locator('[data-field="about"]').click();
  await page.waitForURL(`${kiln.url}/staff/category#${decision}`);
  const approved = page.locator(`[data-decision="${decision}"][data-status="approved"]`);
  await approved.waitFor();
  await approved.getByRole('link', { name: 'product-TBL-PASTA-8' }).click();
  await page.waitForURL(/\/staff\/database-manager\/events\?stream=product-TBL-PASTA-8/);
  for (const type of ['PriceChangeProposed', 'DecisionApproved', 'BasePriceChanged']) {
    await page.locator('[data-position]', { hasText: type }).first().waitFor();
  }
  await page.screenshot({ path: path.join(screenshotDir, 'agents-decision-events.png') });

  // The Business Overview shows every agent's health.
  await page.goto(`${kiln.url}/staff/overview`);
  await waitForHydration(page);
  const agents = page.locator('[data-table="agent-health"] tbody tr');
  assert.deepEqual(
    (await agents.locator('td:first-child').allInnerTexts()).sort(),
    ['agent:category', 'agent:customers', 'agent:fulfillment', 'agent:platform-manager'],
  );
  await page.locator('[data-table="agent-health"]').screenshot({ path: path.join(screenshotDir, 'agents-health-overview.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test("Customer Management's agent proposes a verdict on each waiting dealer application and escalates a lookalike; a person approves one on the page and the dealer company opens", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await signIn(page, kiln.url, 'owner@fenwick.example', 'fenwick-demo-owner');
  await page.goto(`${kiln.url}/staff/customers`);
  await waitForHydration(page);

  // The demo's four applications: three proposals, one escalation.
  const card = page.locator('[data-decision][data-status="pending"]', { hasText: 'Approve Saltmarsh Kitchen at the volume tier' });
  await card.waitFor();
  await page.locator('[data-decision][data-status="pending"]', { hasText: 'Approve Hedgerow Homewares at the trade tier' }).waitFor();
  await page.locator('[data-decision][data-status="pending"]', { hasText: 'Decline the trade application of Best Deals 4 U' }).waitFor();
  await page.getByText('has the same company name as the open dealer “Kiln & Crumb Bakery”').waitFor();
  await page.locator('[data-section="decisions"]').screenshot({ path: path.join(screenshotDir, 'agents-customers-proposals.png') });

  const decision = await card.getAttribute('data-decision');
  await card.locator('[data-verdict="approve"]').getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL('**/staff/customers?decision=approved');
  await page.locator(`[data-decision="${decision}"][data-status="approved"]`).waitFor();
  await page.locator('[data-table="dealer-companies"]', { hasText: 'Saltmarsh Kitchen' }).waitFor();
  // The new company's first user is sent a link to choose a password.
  const mail = await kiln.outbox();
  assert.match(mail, /to orders@saltmarshkitchen\.example/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a person writes in their function's agent conversation from its page, and the note shows as theirs, as text", async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => { problems.push(`dialog: ${dialog.message()}`); dialog.dismiss(); });
  await signIn(page, kiln.url, 'owner@fenwick.example', 'fenwick-demo-owner');
  await page.goto(`${kiln.url}/staff/category`);
  await waitForHydration(page);
  const thread = page.locator('[data-conversation]', { hasText: 'product-TBL-PASTA-8' }).first();
  await thread.waitFor();
  const conversation = await thread.getAttribute('data-conversation');
  await thread.locator('[data-reply] summary').click();
  const note = 'Hold the cut until the spring catalogue <script>alert(1)</script>';
  await thread.getByLabel('As a person of Category Management').fill(note);
  await thread.getByRole('button', { name: 'Send' }).click();
  await page.waitForURL((url) => url.pathname === '/staff/category' && url.search === '?replied=1');
  const written = page.locator(`[data-conversation="${conversation}"] [data-intent="note"]`, { hasText: 'Hold the cut' });
  await written.waitFor();
  assert.equal(await written.locator('[data-field="text"]').innerText(), note);
  assert.equal(await written.locator('[data-field="route"]').innerText(), 'a person of Category Management → agent:fulfillment');
  await page.locator(`[data-conversation="${conversation}"]`).screenshot({ path: path.join(screenshotDir, 'agents-person-note.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
