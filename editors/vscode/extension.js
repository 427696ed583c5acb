// The spex extension: the grammar and language configuration are declared in package.json;
// this starts the spex language server (`spex lsp`, over stdio) for .spex files, through
// vscode-languageclient. Plain CommonJS, so the extension needs no build step.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/**
 * The server to start: the `spex.path` setting, else the workspace's node_modules/.bin/spex,
 * else `spex` on the PATH. A .js or .cjs path runs under Node (VS Code's own).
 * @returns {import('vscode-languageclient/node').ServerOptions}
 */
function serverOptions() {
  const config = vscode.workspace.getConfiguration('spex');
  let command = (config.get('path') || '').trim();
  const folders = vscode.workspace.workspaceFolders || [];
  if (command !== '' && !path.isAbsolute(command) && command.includes(path.sep) && folders.length > 0) {
    command = path.join(folders[0].uri.fsPath, command);
  }
  if (command === '') {
    const bin = process.platform === 'win32' ? 'spex.cmd' : 'spex';
    const local = folders.map((f) => path.join(f.uri.fsPath, 'node_modules', '.bin', bin)).find((p) => fs.existsSync(p));
    command = local || 'spex';
  }
  if (/\.c?js$/.test(command)) {
    return { module: command, args: ['lsp'], transport: TransportKind.stdio };
  }
  return { command, args: ['lsp'], transport: TransportKind.stdio, options: { shell: process.platform === 'win32' } };
}

function clientOptions() {
  const config = vscode.workspace.getConfiguration('spex');
  return {
    documentSelector: [
      { scheme: 'file', language: 'spex' },
      { scheme: 'untitled', language: 'spex' },
    ],
    initializationOptions: {
      maxStates: config.get('run.maxStates'),
      timeoutSeconds: config.get('run.timeoutSeconds'),
    },
  };
}

async function start() {
  client = new LanguageClient('spex', 'spex', serverOptions(), clientOptions());
  try {
    await client.start();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(`spex: cannot start the language server (${message}). Install spex, or set spex.path to the spex command.`);
  }
}

async function stop() {
  if (!client) return;
  const c = client;
  client = undefined;
  try {
    await c.stop();
  } catch {
    // Already stopped (it failed to start).
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('spex.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('spex.path') || e.affectsConfiguration('spex.run')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
