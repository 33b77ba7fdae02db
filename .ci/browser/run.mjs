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
// Steps: open the notebook (choose "Go (gonb)" if JupyterLab asks for a kernel), Run → Run All
// Cells, wait until the kernel is idle and every code cell has an execution count, then check the
// page as the student sees it: no error output, a rendered image in every cell marked `// figure`,
// and no "get notified about Jupyter news?" pop-up. Everything checked is read from JupyterLab's
// DOM, never from the notebook file. Prints one line per step; exits 1 on the first failure.
// Environment: AELIB_CHROMIUM (default /usr/bin/chromium), AELIB_BROWSER_TIMEOUT_S (default 900).

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
const timeoutMs = 1000 * Number(process.env.AELIB_BROWSER_TIMEOUT_S || 900);
const executablePath = process.env.AELIB_CHROMIUM || '/usr/bin/chromium';
const t0 = Date.now();
const log = (msg) => console.log(`[browser ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

const base = new URL(baseArg);
const token = base.searchParams.get('token');
const nbURL = new URL(`lab/tree/${notebook.split('/').map(encodeURIComponent).join('/')}`,
  base.origin + base.pathname.replace(/\/?$/, '/'));
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

async function waitIdleAndExecuted(what) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const st = await notebookState();
    const done = st && st.prompts.length > 0 && st.prompts.every((p) => /^\[\d+\]:?$/.test(p))
      && st.status === 'idle';
    const summary = st ? `${st.prompts.join(' ')} kernel=${st.status}` : 'no notebook';
    if (summary !== last) { log(`${what}: ${summary}`); last = summary; }
    if (done) return st;
    if (Date.now() > deadline) throw new Error(`${what}: not finished after ${timeoutMs / 1000}s (${summary})`);
    await page.waitForTimeout(1000);
  }
}

// If JupyterLab asks which kernel to use, pick "Go (gonb)".
async function chooseKernelIfAsked() {
  const dialog = page.locator('.jp-Dialog');
  if (!(await dialog.count())) return;
  const select = dialog.locator('select');
  if (await select.count()) {
    const value = await select.evaluate((el) => [...el.options].find((o) => o.textContent.trim() === 'Go (gonb)')?.value);
    if (!value) throw new Error('kernel dialog offers no "Go (gonb)"');
    await select.selectOption(value);
  }
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  log('chose kernel "Go (gonb)" in the dialog');
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
  await page.waitForTimeout(2000);
  await chooseKernelIfAsked();
  // Wait for the kernel before running. GoNB (v0.11.4) answers no history_request, so JupyterLab
  // shows its status as "Unknown" until the first cell runs: accept that once the kernel is named.
  {
    const deadline = Date.now() + 120_000;
    const since = Date.now();
    for (;;) {
      const st = await notebookState();
      const named = st && /gonb|Go/.test(st.kernelName);
      if (st && (st.status === 'idle' || (named && st.status === 'unknown' && Date.now() - since > 3000))) {
        log(`kernel "${st.kernelName}" ${st.status}`);
        break;
      }
      if (Date.now() > deadline) throw new Error(`kernel not ready after 120s (${JSON.stringify(st)})`);
      await chooseKernelIfAsked();
      await page.waitForTimeout(500);
    }
  }

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
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await page.waitForTimeout(1000);
      const st = await notebookState();
      const rerun = st.prompts.slice(index).every((p, i) => /^\[\d+\]:?$/.test(p) && p !== before[index + i].prompt);
      if (rerun && st.status === 'idle') break;
      if (Date.now() > deadline) throw new Error(`re-run from cell ${index} not finished (prompts ${st.prompts.slice(index).join(' ')})`);
    }
    const afterRun = await cellTexts();
    const cellProblems = await pageProblems(index);
    if (cellProblems.length) throw new Error(`the page shows problems after the edit:\n  ${cellProblems.join('\n  ')}`);
    const was = before.slice(index).map((c) => c.output).join('\n').split('\n');
    const now = afterRun.slice(index).map((c) => c.output).join('\n').split('\n');
    if (was.join('\n') === now.join('\n')) throw new Error(`outputs from cell ${index} on did not change after the edit`);
    const at = Math.max(0, now.findIndex((line, i) => line !== was[i]));
    log(`outputs from cell ${index} on changed, first at line ${at + 1}: ${JSON.stringify((was[at] || '').slice(0, 100))} → ${JSON.stringify((now[at] || '').slice(0, 100))}`);
  }
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
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
