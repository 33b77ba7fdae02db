// Drives one notebook in JupyterLab the way a student does, in Debian's chromium.
//
//   node run.mjs BASE_URL NOTEBOOK SCREENSHOT [EDIT_JSON]
//
// BASE_URL   JupyterLab root with its token, e.g. http://127.0.0.1:8890/?token=abc
// NOTEBOOK   path relative to the server's --notebook-dir, e.g. 02_autoencoder.ipynb
// SCREENSHOT where to save a PNG of the page after Run All
// EDIT_JSON  optional {"contains": "...", "from": "...", "to": "..."}: in the first code cell whose
//            text contains `contains`, replace `from` by `to`, then run that cell and all below
//            (Run → Run Selected Cell and All Below), and require the outputs from there on to change.
//
// Steps: open the notebook and wait until its kernel is Go (gonb) and started (the page names it and
// the server reports it idle; a kernel dialog is answered with "Go (gonb)", a lasting "No Kernel" is
// changed with Kernel → Change Kernel…), Run → Run All Cells, wait until the kernel is idle and every
// code cell has an execution count (answering any dialog meanwhile), then check the
// page as the student sees it: no error output, a rendered image in every cell marked `// figure`,
// and no "get notified about Jupyter news?" pop-up. Everything checked is read from JupyterLab's
// DOM, never from the notebook file. Prints one line per step; exits 1 on the first failure.
// Every aelib.Explore on the page is tried: moving its first slider must redraw its image and its value label.
// Environment: AELIB_CHROMIUM (default /usr/bin/chromium), AELIB_BROWSER_TIMEOUT_S (default 900),
// AELIB_BROWSER_EXPLORERS (the least number of explorers the page must hold), and
// AELIB_BROWSER_FAULT=kernel-start-fails, which makes the page's first request to start a kernel fail
// (HTTP 500), as a kernel that fails to start on a busy machine would: the run must recover.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [baseArg, notebook, screenshot, editArg] = process.argv.slice(2);
if (!baseArg || !notebook || !screenshot) {
  console.error('usage: node run.mjs BASE_URL NOTEBOOK SCREENSHOT [EDIT_JSON]');
  process.exit(2);
}
const edit = editArg ? JSON.parse(editArg) : null;
const fault = process.env.AELIB_BROWSER_FAULT || '';
if (fault && fault !== 'kernel-start-fails') {
  console.error(`AELIB_BROWSER_FAULT=${fault}: unknown (valid: kernel-start-fails, or empty)`);
  process.exit(2);
}
const timeoutMs = 1000 * Number(process.env.AELIB_BROWSER_TIMEOUT_S || 900);
const executablePath = process.env.AELIB_CHROMIUM || '/usr/bin/chromium';
const t0 = Date.now();
const log = (msg) => console.log(`[browser ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

const base = new URL(baseArg);
const token = base.searchParams.get('token');
// A URL on the server (path relative to its root), and the token for its REST API.
const api = (p) => new URL(p, base.origin + base.pathname.replace(/\/?$/, '/'));
const authHeaders = token ? { Authorization: `token ${token}` } : {};
const nbURL = api(`lab/tree/${notebook.split('/').map(encodeURIComponent).join('/')}`);
if (token) nbURL.searchParams.set('token', token);
// Opening /lab/tree/... would otherwise restore the last workspace; `reset` starts clean.
nbURL.searchParams.set('reset', '');

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aelib-chromium-'));
// A persistent context is how Playwright takes a fresh --user-data-dir of our own.
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 1800 },
});

let failed = false;
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(60_000);
let faultInjected = false;
if (fault === 'kernel-start-fails') {
  await page.route(/\/api\/sessions/, async (route) => {
    if (route.request().method() === 'POST' && !faultInjected) {
      faultInjected = true;
      log('fault: the first POST /api/sessions (start a kernel) answers HTTP 500');
      await route.fulfill({ status: 500, contentType: 'application/json', body: '{"message": "kernel start failed (injected by the test)"}' });
      return;
    }
    await route.continue();
  });
}
page.on('pageerror', (err) => log(`page error: ${err.message}`));

// State of the notebook, read from JupyterLab's DOM.
async function notebookState() {
  return page.evaluate(() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return null;
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')];
    const prompts = cells.map((c) => (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim());
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const status = indicator?.getAttribute('data-status') || '';
    const kernelName = panel.querySelector('.jp-KernelName, .jp-Toolbar-kernelName')?.textContent?.trim() || '';
    return { prompts, status, kernelName };
  });
}

// Waits until every code cell has an execution count and the kernel is idle, answering dialogs. With
// `from` and `before` (prompts before a re-run), only the cells from `from` on count, and each must
// show a new count. Fails if no cell has started within 60 s, or at the timeout, saying what it saw.
async function waitIdleAndExecuted(what, from = 0, before = null) {
  const start = Date.now();
  const deadline = start + timeoutMs;
  let last = '';
  let started = false;
  for (;;) {
    await answerDialog();
    const st = await notebookState();
    const prompts = st ? st.prompts.slice(from) : [];
    const done = prompts.length > 0 && st.status === 'idle'
      && prompts.every((p, i) => /^\[\d+\]:?$/.test(p) && (!before || p !== before[from + i]));
    started ||= prompts.some((p, i) => /^\[(\*|\d+)\]:?$/.test(p) && (!before || p !== before[from + i]));
    const summary = st ? `${prompts.join(' ')} kernel=${st.status}` : 'no notebook';
    if (summary !== last) { log(`${what}: ${summary}`); last = summary; }
    if (done) return st;
    const why = !started && Date.now() - start > 60_000 ? 'no cell started within 60 s'
      : Date.now() > deadline ? `not finished after ${timeoutMs / 1000} s` : '';
    if (why) throw new Error(`${what}: ${why} (prompts ${summary}; ${describe(st, await serverKernel())})`);
    await page.waitForTimeout(1000);
  }
}

// The notebook's kernel as the Jupyter server reports it: {name, state, connections} of the session
// whose path is the notebook, or null when there is none (GET /api/sessions).
async function serverKernel() {
  try {
    const res = await fetch(api('api/sessions'), { headers: authHeaders });
    if (!res.ok) return { error: `GET /api/sessions: HTTP ${res.status}` };
    const session = (await res.json()).find((s) => s.path === notebook);
    if (!session?.kernel) return null;
    return { name: session.kernel.name, state: session.kernel.execution_state, connections: session.kernel.connections };
  } catch (err) {
    return { error: `GET /api/sessions: ${err.message}` };
  }
}

function describe(st, server) {
  const page = st ? `page: kernel "${st.kernelName}" ${st.status}` : 'page: no notebook';
  const srv = server?.error || (server ? `server: ${server.name} ${server.state}, ${server.connections} connection(s)` : 'server: no session');
  return `${page}; ${srv}`;
}

// Shuts down the notebook's session and its kernel (DELETE /api/sessions/ID), so that the next
// run of the same notebook starts its own.
async function shutdownKernel() {
  try {
    const sessions = await (await fetch(api('api/sessions'), { headers: authHeaders })).json();
    for (const s of sessions.filter((s) => s.path === notebook)) {
      await fetch(api(`api/sessions/${s.id}`), { method: 'DELETE', headers: authHeaders });
      log(`shut down the kernel of ${notebook}`);
    }
  } catch (err) {
    log(`could not shut down the kernel of ${notebook}: ${err.message}`);
  }
}

// Answers a dialog JupyterLab shows, at any time: a kernel choice gets "Go (gonb)"; any other is
// logged and accepted. A dialog that reports an error (e.g. "Error Starting Kernel") is dismissed
// once, so that the kernel is chosen again (see waitKernelReady); a second one fails the run.
let errorDialogs = 0;
async function answerDialog() {
  const dialog = page.locator('.jp-Dialog').first();
  if (!(await dialog.count())) return;
  const title = ((await dialog.locator('.jp-Dialog-header').textContent().catch(() => '')) || '').trim();
  const body = ((await dialog.locator('.jp-Dialog-body').textContent().catch(() => '')) || '').replace(/\s+/g, ' ').trim();
  const select = dialog.locator('select');
  if (await select.count()) {
    const options = await select.evaluate((el) => [...el.options].map((o) => ({ text: o.textContent.trim(), value: o.value })));
    const gonb = options.find((o) => o.text === 'Go (gonb)' || /^Start Go \(gonb\) Kernel$/.test(o.text));
    if (!gonb) throw new Error(`dialog "${title}" offers no "Go (gonb)" kernel (options: ${options.map((o) => o.text).join(', ')})`);
    await select.selectOption(gonb.value);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    log(`dialog "${title}": chose kernel "Go (gonb)"`);
    return;
  }
  if (/error|fail/i.test(title) && ++errorDialogs > 1) {
    throw new Error(`JupyterLab shows the dialog "${title}" a second time: ${body.slice(0, 500)}`);
  }
  const accept = dialog.locator('.jp-Dialog-button.jp-mod-accept');
  const label = ((await accept.textContent().catch(() => '')) || '').trim();
  await accept.click();
  log(`dialog "${title}" (${body.slice(0, 200)}): clicked "${label}"`);
}

// Waits until the notebook's kernel is Go (gonb) and started: the page names it "Go (gonb)" with its
// start over, and the server has a gonb kernel for this notebook, idle and connected to the page.
// JupyterLab shows "No Kernel" (status idle) for a moment after opening a notebook, before its
// session exists; if that lasts, the kernel is chosen with Kernel → Change Kernel…. Dialogs are
// answered meanwhile.
async function waitKernelReady() {
  const deadline = Date.now() + 180_000;
  let last = '';
  let noKernelSince = null;
  for (;;) {
    await answerDialog();
    const st = await notebookState();
    const server = await serverKernel();
    const summary = describe(st, server);
    if (summary !== last) { log(`waiting for the kernel: ${summary}`); last = summary; }
    // The page's status stays "unknown" until the first cell runs (GoNB v0.11.4 answers no history_request).
    if (st?.kernelName === 'Go (gonb)' && ['idle', 'unknown'].includes(st.status)
        && server?.name === 'gonb' && server.state === 'idle' && server.connections > 0) return;
    if (st?.kernelName === 'No Kernel') {
      noKernelSince ??= Date.now();
      if (Date.now() - noKernelSince > 15_000) {
        log('"No Kernel" for 15 s: Kernel → Change Kernel…');
        await clickMenu('Kernel', 'Change Kernel');
        noKernelSince = Date.now();
      }
    } else {
      noKernelSince = null;
    }
    if (Date.now() > deadline) throw new Error(`kernel Go (gonb) not started after 180 s; last seen: ${summary}`);
    await page.waitForTimeout(500);
  }
}

// The code cells as rendered: source (CodeMirror's lines), output text and prompt. CodeMirror
// draws only the lines near the screen, so each cell is scrolled into view before it is read.
async function cellTexts() {
  return page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')];
    const texts = [];
    for (const c of cells) {
      c.scrollIntoView({ block: 'start' });
      await frame();
      await frame();
      texts.push({
        source: [...c.querySelectorAll('.cm-content .cm-line')].map((l) => l.textContent).join('\n'),
        output: [...c.querySelectorAll('.jp-OutputArea-output')].map((o) => o.textContent).join('\n'),
        prompt: (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim(),
      });
    }
    return texts;
  });
}

// Problems a student sees in the code cells from index `from` on, read from the rendered page:
// error outputs and anything on stderr (JupyterLab renders both, tracebacks included, as
// application/vnd.jupyter.stderr), GoNB's HTML error report (compile errors: .gonb-err-*), and a
// cell marked `// figure` without a rendered <img> or <svg> in its outputs.
async function pageProblems(from = 0) {
  const sources = (await cellTexts()).map((c) => c.source);
  return page.evaluate(({ from, sources }) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')];
    const stderr = '[data-mime-type="application/vnd.jupyter.stderr"]';
    const text = (el) => {
      const clone = el.cloneNode(true);
      clone.querySelectorAll('style').forEach((s) => s.remove());
      return (clone.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 300);
    };
    const problems = [];
    cells.forEach((cell, i) => {
      if (i < from) return;
      const first = (sources[i] || '').trim().split('\n')[0].slice(0, 60);
      const where = `code cell ${i + 1} (${JSON.stringify(first)})`;
      for (const out of cell.querySelectorAll('.jp-OutputArea-output')) {
        if (out.matches(stderr)) {
          problems.push(`${where}: error output: ${text(out)}`);
        } else if (out.querySelector('[class*="gonb-err-"]') || out.querySelector(stderr)) {
          problems.push(`${where}: GoNB error report: ${text(out)}`);
        }
      }
      if ((sources[i] || '').includes('// figure')
          && !cell.querySelector('.jp-OutputArea-output img, .jp-OutputArea-output svg')) {
        problems.push(`${where}: marked \`// figure\` but shows no image`);
      }
    });
    return problems;
  }, { from, sources });
}

// The "Would you like to get notified about official Jupyter news?" pop-up, if JupyterLab shows it.
async function newsPopup() {
  return page.getByText(/official Jupyter news/).count();
}

async function clickMenu(menu, item) {
  await page.locator('.lm-MenuBar-item', { hasText: new RegExp(`^${menu}$`) }).click();
  await page.locator('.lm-Menu-item:visible', { hasText: item }).first().click();
}

try {
  log(`chromium ${context.browser()?.version() || ''}; opening ${notebook}`);
  await page.goto(nbURL.toString(), { waitUntil: 'domcontentloaded' });
  await page.locator('.jp-NotebookPanel .jp-Notebook .jp-Cell').first().waitFor({ timeout: 120_000 });
  await waitKernelReady();
  log('kernel "Go (gonb)" started');

  log('Run → Run All Cells');
  await clickMenu('Run', 'Run All Cells');
  await page.waitForTimeout(1500);
  await waitIdleAndExecuted('run all');

  const problems = await pageProblems();
  const images = await page.locator('.jp-OutputArea-output img, .jp-OutputArea-output svg').count();
  log(`rendered images in output areas: ${images}`);
  if (problems.length) throw new Error(`the page shows problems after Run All:\n  ${problems.join('\n  ')}`);
  if (images === 0) throw new Error('no <img> or <svg> in any output area after Run All');
  if (await newsPopup()) {
    throw new Error('JupyterLab shows the "get notified about official Jupyter news?" pop-up: '
      + 'the project\'s lab settings (.venv/share/jupyter/lab/settings/overrides.json, written by make setup) are missing');
  }

  // Sliders of aelib.Explore: moving one must redraw its image, without the kernel.
  const explorers = page.locator('.jp-OutputArea-output .aelib-explore');
  const nExplorers = await explorers.count();
  for (let i = 0; i < nExplorers; i++) {
    const ex = explorers.nth(i);
    await ex.scrollIntoViewIfNeeded();
    const moved = await ex.evaluate((root) => {
      const img = root.querySelector('img');
      const input = root.querySelector('input[type=range]');
      const label = input.nextElementSibling;
      const before = { src: img.src, label: label.textContent };
      input.value = String(Number(input.value) === Number(input.max) ? 0 : Number(input.max));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      return { changed: img.src !== before.src, label: label.textContent, labelBefore: before.label };
    });
    if (!moved.changed) throw new Error(`explorer ${i + 1}: moving its first slider did not redraw the image`);
    if (moved.label === moved.labelBefore) throw new Error(`explorer ${i + 1}: the slider's value label stayed ${moved.label}`);
    log(`explorer ${i + 1}: slider moved ${moved.labelBefore} → ${moved.label}, image redrawn`);
  }
  if (process.env.AELIB_BROWSER_EXPLORERS && nExplorers < Number(process.env.AELIB_BROWSER_EXPLORERS)) {
    throw new Error(`${nExplorers} explorers (aelib.Explore) on the page, want at least ${process.env.AELIB_BROWSER_EXPLORERS}`);
  }

  // Show the last figure in the screenshot.
  await page.locator('.jp-OutputArea-output img, .jp-OutputArea-output svg').last().scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  log(`screenshot ${screenshot}`);

  if (edit) {
    const before = await cellTexts();
    const index = before.findIndex((c) => c.source.includes(edit.contains));
    if (index < 0) throw new Error(`no code cell contains ${JSON.stringify(edit.contains)}`);
    log(`editing cell ${index}: ${JSON.stringify(edit.from)} → ${JSON.stringify(edit.to)}`);
    const cell = page.locator('.jp-Notebook .jp-Cell.jp-CodeCell').nth(index);
    await cell.scrollIntoViewIfNeeded();
    const editor = cell.locator('.cm-content');
    await editor.click();
    // Edit through CodeMirror's own view when reachable (exact), else select all and insert text.
    const viaView = await editor.evaluate((el, e) => {
      const cv = el.cmView;
      const view = cv && (cv.rootView?.view || cv.view || cv.editorView);
      if (!view || !view.state) return false;
      const doc = view.state.doc.toString();
      const at = doc.indexOf(e.from);
      if (at < 0) return false;
      view.dispatch({ changes: { from: at, to: at + e.from.length, insert: e.to } });
      return true;
    }, edit);
    if (!viaView) {
      const cellSource = before[index].source;
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(cellSource.replace(edit.from, edit.to));
    }
    const after = (await cellTexts())[index];
    if (!after.source.includes(edit.to)) throw new Error(`edit did not take: cell ${index} reads ${JSON.stringify(after.source.slice(0, 300))}`);
    log(`edited via ${viaView ? 'CodeMirror view' : 'keyboard'}; Run → Run Selected Cell and All Below from cell ${index}`);
    await editor.click();
    await clickMenu('Run', 'Run Selected Cell and All Below');
    // Wait until every cell from the edited one on has run again (a new execution count) and the kernel is idle.
    await waitIdleAndExecuted(`re-run from cell ${index}`, index, before.map((c) => c.prompt));
    const afterRun = await cellTexts();
    const cellProblems = await pageProblems(index);
    if (cellProblems.length) throw new Error(`the page shows problems after the edit:\n  ${cellProblems.join('\n  ')}`);
    const was = before.slice(index).map((c) => c.output).join('\n').split('\n');
    const now = afterRun.slice(index).map((c) => c.output).join('\n').split('\n');
    if (was.join('\n') === now.join('\n')) throw new Error(`outputs from cell ${index} on did not change after the edit`);
    const at = Math.max(0, now.findIndex((line, i) => line !== was[i]));
    log(`outputs from cell ${index} on changed, first at line ${at + 1}: ${JSON.stringify((was[at] || '').slice(0, 100))} → ${JSON.stringify((now[at] || '').slice(0, 100))}`);
  }
  if (fault && !faultInjected) throw new Error(`fault ${fault} was never injected: the page started no kernel (a session for ${notebook} existed already?)`);
  log('ok');
} catch (err) {
  failed = true;
  console.error(`[browser] FAIL ${notebook}: ${err.message}`);
  try {
    const failShot = screenshot.replace(/\.png$/, '') + '.failed.png';
    await page.screenshot({ path: failShot, fullPage: true });
    console.error(`[browser] screenshot of the failure: ${failShot}`);
  } catch { /* ignore */ }
} finally {
  await shutdownKernel();
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
