import { chromium } from 'playwright-core';
const [url, out, w, h, clipY] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: +w, height: +h } });
if (process.env.LOGIN) {
  const [email, pw] = process.env.LOGIN.split(':');
  await page.goto(new URL('/login', url).href);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: /Sign in/ }).click();
  await page.waitForLoadState('networkidle');
}
await page.goto(url);
await page.waitForLoadState('networkidle');
if (clipY) await page.evaluate((y) => window.scrollTo(0, +y), clipY);
await page.screenshot({ path: out });
await browser.close();
