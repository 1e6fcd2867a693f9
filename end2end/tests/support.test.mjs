// Support in a real browser: a shopper opens a ticket, staff answer it from
// Customer Management's page, and the shopper reads the answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startKiln, launchChromium, screenshotDir, signIn as signInAt, waitForHydration } from '../support/kiln.mjs';

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

async function signIn(context, email, password) {
  const page = await context.newPage();
  await signInAt(page, kiln.url, email, password);
  return page;
}

test('a shopper opens a support ticket and staff answer it', async () => {
  const shopperContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const shopper = await signIn(shopperContext, 'shopper@fenwick.example', 'fenwick-demo-shopper');
  const problems = [];
  shopper.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await shopper.getByRole('link', { name: 'Support' }).click();
  await shopper.waitForURL('**/support');
  await shopper.getByLabel('Subject').fill('A mug arrived chipped');
  await shopper.getByLabel('Your message').fill('The handle of one Speckled Morning Mug is chipped. Order ord-…');
  await shopper.getByRole('button', { name: 'Send' }).click();
  await shopper.waitForURL(/\/support\/tkt-[0-9a-f]{16}\?opened=1/);
  await shopper.getByText('Your ticket is open').waitFor();
  const ticketUrl = shopper.url().split('?')[0];
  const ticket = new URL(ticketUrl).pathname.split('/').pop();
  await shopper.screenshot({ path: path.join(screenshotDir, 'support-ticket-opened.png'), fullPage: true });

  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await signIn(staffContext, 'owner@fenwick.example', 'fenwick-demo-owner');
  staff.on('pageerror', (error) => problems.push(`staff page error: ${error.message}`));
  await staff.goto(`${kiln.url}/staff/customers`);
  await waitForHydration(staff);
  const card = staff.locator(`article[data-ticket="${ticket}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), /A mug arrived chipped/);
  await card.getByLabel('Answer').fill('Sorry about that! A new mug is on its way today.');
  await staff.screenshot({ path: path.join(screenshotDir, 'support-staff-answering.png'), fullPage: true });
  await card.getByRole('button', { name: 'Send the answer' }).click();
  await staff.waitForURL('**/staff/customers?answered=1');
  await staff.getByText('Answered: the customer sees it').waitFor();

  await shopper.goto(ticketUrl);
  const thread = shopper.getByTestId('ticket-thread');
  await thread.locator('li[data-from="staff"]').waitFor();
  assert.match(await thread.innerText(), /A new mug is on its way today/);
  assert.equal(await shopper.locator('[data-field=status]').innerText(), 'Answered');
  await shopper.screenshot({ path: path.join(screenshotDir, 'support-ticket-answered.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await staffContext.close();
  await shopperContext.close();
});
