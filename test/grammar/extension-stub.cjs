// Loads editors/vscode/extension.js with a stand-in for the `vscode` module (the real
// vscode-languageclient, its LanguageClient replaced by a recorder), activates it, and prints
// the server options and client options it would start the language server with.
// Usage: node extension-stub.cjs EXTENSION_DIR SPEX_PATH_SETTING WORKSPACE_FOLDER
'use strict';
const Module = require('node:module');
const path = require('node:path');
const [extDir, spexPath, folder] = process.argv.slice(2);
const anything = {
  get(target, prop) {
    if (prop in target) return target[prop];
    if (prop === 'then') return undefined;
    return new Proxy(function () {}, anything);
  },
  apply() {
    return new Proxy(function () {}, anything);
  },
  construct() {
    return new Proxy(function () {}, anything);
  },
};
const calls = [];
const vscode = new Proxy(
  {
    workspace: new Proxy(
      {
        getConfiguration: () => ({ get: (k) => ({ path: spexPath, 'run.maxStates': 7, 'run.timeoutSeconds': 9 })[k] }),
        workspaceFolders: [{ uri: { fsPath: folder } }],
        onDidChangeConfiguration: () => ({ dispose() {} }),
      },
      anything,
    ),
    commands: new Proxy({ registerCommand: (id) => (calls.push(id), { dispose() {} }) }, anything),
    window: new Proxy({ showErrorMessage: (m) => calls.push(`error: ${m}`) }, anything),
  },
  anything,
);
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : load.call(this, request, ...rest);
};
const lc = require(require.resolve('vscode-languageclient/node', { paths: [extDir] }));
const started = [];
lc.LanguageClient = class {
  constructor(id, name, server, client) {
    started.push({ id, server, client });
  }
  start() {
    return Promise.resolve();
  }
  stop() {
    return Promise.resolve();
  }
};
require(path.join(extDir, 'extension.js'))
  .activate({ subscriptions: [] })
  .then(() => {
    const s = started[0];
    process.stdout.write(JSON.stringify({ calls, server: s.server, initializationOptions: s.client.initializationOptions, documentSelector: s.client.documentSelector }));
  });
