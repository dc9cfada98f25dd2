// Drives headless Chromium through the DevTools protocol over a pipe (--remote-debugging-pipe:
// no WebSocket library, no npm package, no browser download) against a running
// `jixiao serve`: uploads the sample, checks its four errors, downloads the corrected
// workbook, switches to English, takes screenshots, and prints the HTML report to PDF.
//
// node scripts/browser-test.mjs URL SAMPLE DOWNLOAD_DIR REPORT_HTML DOCS_DIR
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const [url, sample, downloadDir, reportHtml, docsDir] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'jixiao-chromium-'));
const browser = spawn(chromium, [
  '--headless=new', '--remote-debugging-pipe', '--no-first-run', '--no-default-browser-check',
  '--disable-gpu', '--no-sandbox', '--disable-extensions', '--disable-background-networking',
  '--disable-sync', '--disable-component-update', '--hide-scrollbars',
  `--user-data-dir=${profile}`, 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let browserLog = '';
browser.stderr.on('data', (d) => { browserLog += d; });

const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];
let nextId = 1;
const pending = new Map();
const listeners = [];
let buffered = Buffer.alloc(0);
fromBrowser.on('data', (chunk) => {
  buffered = Buffer.concat([buffered, chunk]);
  for (let end; (end = buffered.indexOf(0)) >= 0;) {
    const msg = JSON.parse(buffered.subarray(0, end).toString('utf8'));
    buffered = buffered.subarray(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { ok, fail } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) fail(new Error(`${msg.error.message} ${msg.error.data || ''}`));
      else ok(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});

function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  toBrowser.write(JSON.stringify(msg) + '\0');
  return new Promise((ok, fail) => pending.set(id, { ok, fail }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, test, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const v = await test();
    if (v) return v;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
}

async function main() {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const page = (m, p) => send(m, p, sessionId);
  const evaluate = async (expression) => {
    const r = await page('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
    return r.result.value;
  };
  // Only 127.0.0.1 and file:// are loaded: any other request is failed and reported.
  const offMachine = [];
  listeners.push((m) => {
    if (m.method === 'Network.requestWillBeSent') {
      const u = m.params.request.url;
      if (!/^(http:\/\/127\.0\.0\.1[:/]|file:|blob:|data:|about:)/.test(u)) offMachine.push(u);
    }
  });
  await page('Network.enable');
  await page('Page.enable');
  await page('Emulation.setDeviceMetricsOverride',
    { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
  await send('Browser.setDownloadBehavior',
    { behavior: 'allow', downloadPath: downloadDir, eventsEnabled: true });

  await page('Page.navigate', { url });
  await until('the page', () => evaluate("document.readyState === 'complete' && !!document.getElementById('files')"));

  // "Drop" the sample: set the file input's files, as a drop or a pick would.
  const { root } = await page('DOM.getDocument', {});
  const { nodeId } = await page('DOM.querySelector', { nodeId: root.nodeId, selector: '#files' });
  await page('DOM.setFileInputFiles', { nodeId, files: [path.resolve(sample)] });
  await until('the report of the sample', () => evaluate("document.querySelectorAll('.file-card').length === 1"));

  const seen = await evaluate(`(() => {
    const rows = [...document.querySelectorAll('table.findings tr.bad')];
    return {
      errorRows: rows.map((r) => r.querySelector('.code').textContent + ' ' + r.querySelector('.cell').textContent),
      errorsCard: document.querySelector('#totals .total:nth-child(3) dd').textContent,
      projectsCard: document.querySelector('#totals .total:nth-child(2) dd').textContent,
      facts: document.querySelector('.facts').textContent,
    };
  })()`);
  console.log('errors shown:', seen.errorRows.join(' | '));
  console.log('facts:', seen.facts);
  if (seen.errorRows.length !== 4) fail(`expected 4 error rows, saw ${seen.errorRows.length}`);
  if (seen.errorsCard !== '4') fail(`errors card shows ${seen.errorsCard}`);
  if (seen.projectsCard !== '10') fail(`projects card shows ${seen.projectsCard}`);
  if (!seen.facts.includes('1,743.86万元')) fail('the funds total 1,743.86万元 is not shown');

  await shot(page, path.join(docsDir, 'serve-page.png'), 2200);

  // Download the corrected workbook.
  const done = new Promise((ok) => listeners.push((m) => {
    if (m.method === 'Browser.downloadProgress' && m.params.state === 'completed') ok(m.params);
  }));
  const fileName = new Promise((ok) => listeners.push((m) => {
    if (m.method === 'Browser.downloadWillBegin') ok(m.params.suggestedFilename);
  }));
  await evaluate("document.querySelector('.fix-btn').click()");
  await Promise.race([done, sleep(30000).then(() => { throw new Error('download timed out'); })]);
  const name = await fileName;
  console.log('downloaded:', name);
  fs.writeFileSync(path.join(downloadDir, 'NAME'), name);

  // English on request.
  await evaluate("document.getElementById('lang-en').click()");
  const en = await evaluate("document.querySelector('#totals .total:nth-child(3) dt').textContent + ' / ' + document.querySelector('.findings th:nth-child(4)').textContent");
  console.log('English:', en);
  if (en !== 'Errors / What is wrong') fail(`English view shows ${en}`);

  // The HTML report of `check --html`, on screen and printed to A4.
  await page('Page.navigate', { url: `file://${path.resolve(reportHtml)}` });
  await until('the report', () => evaluate("document.readyState === 'complete' && !!document.querySelector('.file')"));
  await shot(page, path.join(docsDir, 'html-report.png'), 2200);
  const pdf = await page('Page.printToPDF', { paperWidth: 8.27, paperHeight: 11.69, preferCSSPageSize: true });
  const pdfBytes = Buffer.from(pdf.data, 'base64');
  const pdfPath = path.join(downloadDir, 'report.pdf');
  fs.writeFileSync(pdfPath, pdfBytes);
  const pages = (pdfBytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  console.log(`report printed to A4: ${pages} page(s), ${pdfPath}`);

  if (offMachine.length) fail(`requests left the machine: ${offMachine.join(', ')}`);
}

async function shot(page, file, maxHeight) {
  const m = await page('Page.getLayoutMetrics');
  const height = Math.min(Math.ceil(m.cssContentSize.height), maxHeight);
  const r = await page('Page.captureScreenshot', {
    format: 'png', captureBeyondViewport: true,
    clip: { x: 0, y: 0, width: 1280, height, scale: 1 },
  });
  fs.writeFileSync(file, Buffer.from(r.data, 'base64'));
  console.log('screenshot:', file);
}

try {
  await main();
} catch (e) {
  fail(e.message);
  if (browserLog) console.error(browserLog.slice(-2000));
} finally {
  const exited = new Promise((ok) => browser.once('exit', ok));
  browser.kill();
  await Promise.race([exited, sleep(5000)]);
  try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* left in /tmp */ }
}
