// Hostile text in a real browser: products named and described with
// markup that closes the title, a textarea and a script, and with
// right-to-left and invisible characters, are opened by a shopper and by
// staff. Each page must hydrate without an error, show the text as text,
// and hold no injected element. (server/tests/server/hostile_text.rs reads every
// field's pages with an HTML parser; this checks that they also come alive.)
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

const HOSTILE = [
  {
    name: '</title><meta http-equiv="refresh" id="kiln-injected">',
    description: '</textarea><b id="kiln-injected">textarea</b>',
  },
  {
    name: '</script><b id="kiln-injected">script</b>',
    description: '"><img src=x onerror=alert(1) id="kiln-injected">',
  },
  {
    name: 'كوب \u202Ereversed\u202C zero\u200Bwidth',
    description: '&amp; &lt;b&gt; stay as typed 🏺',
  },
];

// Problems a page reports while it loads and hydrates: uncaught errors,
// and errors logged to the console (a hydration panic is logged there).
function watch(page) {
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  return problems;
}

async function injectedElements(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[id*=kiln-injected], img[onerror], meta[http-equiv]')].map(
      (element) => element.outerHTML,
    ),
  );
}

test('pages showing hostile product names and descriptions hydrate and show them as text', async () => {
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await staffContext.newPage();
  await signIn(staff, kiln.url, 'potter@fenwick.example', 'fenwick-demo-potter');
  for (const [index, { name, description }] of HOSTILE.entries()) {
    const added = await staffContext.request.post(`${kiln.url}/api/category/add-product`, {
      headers: { accept: 'text/html', referer: `${kiln.url}/staff/category` },
      form: {
        'form[sku]': `HOSTILE-${index}`,
        'form[name]': name,
        'form[collection]': 'mugs',
        'form[description]': description,
        'form[price]': '20',
        'form[unit_cost]': '5',
        'form[image]': '/products/mug-tall-16.svg',
        'form[family]': '',
        'form[option]': '',
      },
    });
    assert.ok(added.ok(), `adding HOSTILE-${index}: ${added.status()}`);
    assert.doesNotMatch(added.url(), /__err=/, `adding HOSTILE-${index} was refused`);
  }

  const shopperContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  for (const [index, { name, description }] of HOSTILE.entries()) {
    const shopper = await shopperContext.newPage();
    const problems = watch(shopper);
    await shopper.goto(`${kiln.url}/shop/HOSTILE-${index}`);
    await waitForHydration(shopper, { timeout: 60_000 });
    assert.equal(await shopper.title(), `${name} · Fenwick Clayworks`);
    assert.equal(await shopper.locator('h1').first().innerText(), name);
    assert.match(await shopper.locator('main').innerText(), new RegExp(escapeRegExp(description)));
    assert.deepEqual(await injectedElements(shopper), []);
    assert.deepEqual(problems, [], `/shop/HOSTILE-${index}`);
    if (index === 0) {
      await shopper.screenshot({ path: path.join(screenshotDir, 'hostile-product.png'), fullPage: true });
    }
    await shopper.close();
  }

  const problems = watch(staff);
  await staff.goto(`${kiln.url}/staff/category`);
  await waitForHydration(staff, { timeout: 60_000 });
  assert.deepEqual(await injectedElements(staff), []);
  const descriptions = await staff
    .locator('textarea[name="form[description]"]')
    .evaluateAll((areas) => areas.map((area) => area.value));
  for (const { description } of HOSTILE) {
    assert.ok(descriptions.includes(description), `no edit form holds ${description}`);
  }
  assert.deepEqual(problems, [], '/staff/category');
  await staff.screenshot({ path: path.join(screenshotDir, 'hostile-staff-category.png'), fullPage: true });
  await shopperContext.close();
  await staffContext.close();
});

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('a support ticket with a hostile subject and message hydrates for the shopper and on the staff page', async () => {
  const subject = '</title><b id="kiln-injected">subject</b> \u202Eevil\u202C';
  const message = '</textarea><script id="kiln-injected">alert(1)</script> كوب';
  const shopperContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const shopper = await shopperContext.newPage();
  await signIn(shopper, kiln.url, 'shopper@fenwick.example', 'fenwick-demo-shopper');
  const opened = await shopperContext.request.post(`${kiln.url}/api/support/open`, {
    headers: { accept: 'text/html', referer: `${kiln.url}/support` },
    form: { 'form[subject]': subject, 'form[message]': message },
  });
  assert.ok(opened.ok(), `opening the ticket: ${opened.status()}`);
  const ticketPath = new URL(opened.url()).pathname;
  assert.match(ticketPath, /^\/support\/tkt-/);

  const problems = watch(shopper);
  await shopper.goto(`${kiln.url}${ticketPath}`);
  await waitForHydration(shopper, { timeout: 60_000 });
  assert.equal(await shopper.title(), `${subject} · Fenwick Clayworks`);
  const thread = await shopper.getByTestId('ticket-thread').innerText();
  assert.ok(thread.includes(message), thread);
  assert.deepEqual(await injectedElements(shopper), []);
  assert.deepEqual(problems, [], ticketPath);

  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await staffContext.newPage();
  await signIn(staff, kiln.url, 'owner@fenwick.example', 'fenwick-demo-owner');
  const staffProblems = watch(staff);
  await staff.goto(`${kiln.url}/staff/customers`);
  await waitForHydration(staff, { timeout: 60_000 });
  const ticket = ticketPath.split('/').pop();
  const card = staff.locator(`article[data-ticket="${ticket}"]`);
  await card.waitFor();
  const shown = await card.innerText();
  assert.ok(shown.includes('</title><b id="kiln-injected">subject</b>'), shown);
  assert.deepEqual(await injectedElements(staff), []);
  assert.deepEqual(staffProblems, [], '/staff/customers');
  await staff.screenshot({ path: path.join(screenshotDir, 'hostile-staff-customers.png'), fullPage: true });
  await staffContext.close();
  await shopperContext.close();
});
