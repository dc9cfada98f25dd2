// The page of `jixiao serve`: sends each dropped workbook to this machine's jixiao (one
// request per file, so progress shows), shows the report's sections, offers downloads.
// No library, nothing fetched from anywhere but 127.0.0.1.
'use strict';

const TEXT = {
  zh: {
    checking: (i, n, name) => `正在检查第 ${i} / ${n} 个文件：${name}`,
    checked: (n) => `已检查 ${n} 个文件。`,
    none: '所选内容中没有 .xlsx、.xlsm、.xls 或 .ods 工作簿。',
    files: '文件', projects: '项目', errors: '错误', warnings: '警告', unreadable: '无法读取',
    fix: '下载更正后的工作簿',
    working: '正在生成…',
    failed: '请求失败',
  },
  en: {
    checking: (i, n, name) => `Checking file ${i} of ${n}: ${name}`,
    checked: (n) => `Checked ${n} file${n === 1 ? '' : 's'}.`,
    none: 'No .xlsx, .xlsm, .xls or .ods workbook in what was chosen.',
    files: 'Files', projects: 'Projects', errors: 'Errors', warnings: 'Warnings',
    unreadable: 'Unreadable',
    fix: 'Download the corrected workbook',
    working: 'Working…',
    failed: 'Request failed',
  },
};

let lang = 'zh';
let batch = [];   // {file, name, view, readable}
let run = 0;      // a newer drop cancels the loop of an older one

const $ = (id) => document.getElementById(id);
const isWorkbook = (name) => /\.(xlsx|xlsm|xls|ods)$/i.test(name);
const isSkipped = (name) => {
  const base = name.split('/').pop();
  return base.startsWith('~$') || base.startsWith('.');
};

function setLang(l) {
  lang = l;
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  $('lang-zh').classList.toggle('on', l === 'zh');
  $('lang-en').classList.toggle('on', l === 'en');
  for (const el of document.querySelectorAll('[data-zh]')) {
    el.textContent = el.dataset[l];
  }
  render();
}

function showMessage(text) {
  $('message').textContent = text;
  $('message').hidden = !text;
}

function section(item, index) {
  const card = document.createElement('div');
  card.className = 'file-card';
  // The section is the server's report HTML, its workbook texts already escaped there.
  card.innerHTML = item.view.html[lang];
  if (item.readable) {
    const tools = document.createElement('div');
    tools.className = 'file-tools no-print';
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'fix-btn';
    b.dataset.index = String(index);
    b.textContent = TEXT[lang].fix;
    b.addEventListener('click', () => download('/api/fix', [item], b));
    tools.appendChild(b);
    card.prepend(tools);
  }
  return card;
}

function render() {
  const results = $('results');
  results.textContent = '';
  const done = batch.filter((b) => b.view);
  done.forEach((item) => results.appendChild(section(item, batch.indexOf(item))));
  const t = TEXT[lang];
  const sum = { files: 0, projects: 0, errors: 0, warnings: 0, unreadable: 0 };
  for (const item of done) {
    const s = item.view.report.summary || {};
    sum.files += s.files || 0;
    sum.projects += s.projects || 0;
    sum.errors += s.errors || 0;
    sum.warnings += s.warnings || 0;
    sum.unreadable += (item.view.report.unreadable || []).length;
  }
  const card = (label, value, cls) =>
    `<div class="total ${cls}"><dt>${label}</dt><dd>${value}</dd></div>`;
  $('totals').innerHTML =
    card(t.files, sum.files + sum.unreadable, '') +
    card(t.projects, sum.projects, '') +
    card(t.errors, sum.errors, sum.errors ? 'bad' : 'good') +
    card(t.warnings, sum.warnings, sum.warnings ? 'warn' : 'good') +
    card(t.unreadable, sum.unreadable, sum.unreadable ? 'bad' : 'good');
  $('summary').hidden = done.length === 0;
  const readable = batch.filter((b) => b.readable).length;
  $('fix-all').hidden = readable < 2;
  $('rollup').hidden = batch.length < 2;
  if (batch.length && done.length === batch.length) {
    $('progress-text').textContent = t.checked(batch.length);
  }
}

let waive = null; // the optional waiver CSV, sent with every request as field `waive`

function form(items) {
  const data = new FormData();
  for (const item of items) data.append('file', item.file, item.name);
  if (waive) data.append('waive', waive, waive.name);
  return data;
}

async function check(list) {
  const mine = ++run;
  showMessage('');
  batch = list
    .filter((f) => isWorkbook(f.name) && !isSkipped(f.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => ({ file: f.file, name: f.name, view: null, readable: false }));
  render();
  if (!batch.length) {
    $('progress').hidden = true;
    showMessage(TEXT[lang].none);
    return;
  }
  $('progress').hidden = false;
  for (let i = 0; i < batch.length; i++) {
    if (mine !== run) return;
    const item = batch[i];
    $('progress-text').textContent = TEXT[lang].checking(i + 1, batch.length, item.name);
    $('meter-fill').style.width = `${(100 * i) / batch.length}%`;
    try {
      const r = await fetch('/api/view', { method: 'POST', body: form([item]) });
      const body = await r.json();
      if (!r.ok) throw new Error(body.error || r.status);
      if (mine !== run) return;
      item.view = body;
      item.readable = (body.report.files || []).length > 0;
      // Waivers that matched nothing in this file; shown so stale ones are seen.
      const stale = body.report.stale_waivers || [];
      if (batch.length === 1 && stale.length) showMessage(stale.map((w) => w.message).join('\n'));
    } catch (e) {
      const msg = `${TEXT[lang].failed}：${e.message}`;
      item.view = {
        report: { summary: {}, unreadable: [{ file: item.name, reason: msg }] },
        html: { zh: errorHtml(item.name, msg), en: errorHtml(item.name, msg) },
      };
    }
    render();
  }
  $('meter-fill').style.width = '100%';
}

function errorHtml(name, msg) {
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<section class="file unreadable"><h2>${esc(name)}</h2><p class="reason">${esc(msg)}</p></section>`;
}

function fileName(r, fallback) {
  const cd = r.headers.get('Content-Disposition') || '';
  const m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (m) {
    try { return decodeURIComponent(m[1]); } catch (e) { /* the fallback below */ }
  }
  return fallback;
}

async function download(url, items, button) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = TEXT[lang].working;
  showMessage('');
  try {
    const r = await fetch(url, { method: 'POST', body: form(items) });
    if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      throw new Error(body.error || r.status);
    }
    const blob = await r.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = fileName(r, 'jixiao-download');
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  } catch (e) {
    showMessage(`${TEXT[lang].failed}：${e.message}`);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

// Folders dropped on the page: walk them as the folder picker would.
async function entries(entry, path, out) {
  if (entry.isFile) {
    const file = await new Promise((ok, fail) => entry.file(ok, fail));
    out.push({ file, name: path + file.name });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batchOf = await new Promise((ok, fail) => reader.readEntries(ok, fail));
      if (!batchOf.length) break;
      for (const e of batchOf) await entries(e, `${path}${entry.name}/`, out);
    }
  }
}

function picked(input) {
  const list = Array.from(input.files).map((f) => ({
    file: f,
    name: f.webkitRelativePath || f.name,
  }));
  input.value = '';
  check(list);
}

$('pick-files').addEventListener('click', () => $('files').click());
$('pick-folder').addEventListener('click', () => $('folder').click());
$('files').addEventListener('change', () => picked($('files')));
$('folder').addEventListener('change', () => picked($('folder')));
$('pick-waive').addEventListener('click', () => $('waive').click());
$('waive').addEventListener('change', () => {
  waive = $('waive').files[0] || null;
  $('waive-name').textContent = waive ? waive.name : '';
  // Checked again with the waivers, so the page shows them apart at once.
  if (batch.length) check(batch.map((b) => ({ file: b.file, name: b.name })));
});
$('lang-zh').addEventListener('click', () => setLang('zh'));
$('lang-en').addEventListener('click', () => setLang('en'));
$('print').addEventListener('click', () => window.print());
$('fix-all').addEventListener('click', () =>
  download('/api/fix', batch.filter((b) => b.readable), $('fix-all')));
$('rollup').addEventListener('click', () => download('/api/rollup', batch, $('rollup')));

const drop = $('drop');
['dragenter', 'dragover'].forEach((t) => drop.addEventListener(t, (e) => {
  e.preventDefault();
  drop.classList.add('over');
}));
['dragleave', 'drop'].forEach((t) => drop.addEventListener(t, () => drop.classList.remove('over')));
// A file dropped beside the zone must not make the browser navigate away to it.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', async (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const items = Array.from(e.dataTransfer.items || []);
  const out = [];
  if (items.length && items[0].webkitGetAsEntry) {
    const roots = items.map((i) => i.webkitGetAsEntry()).filter(Boolean);
    for (const r of roots) await entries(r, '', out);
  } else {
    for (const f of e.dataTransfer.files) out.push({ file: f, name: f.name });
  }
  check(out);
});
