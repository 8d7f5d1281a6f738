"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.linkPackageIntoUserDir = linkPackageIntoUserDir;
exports.startNodeRed = startNodeRed;
/**
 * Embedded Node-RED for the main job (`npm start`): editor and runtime on one loopback HTTP server, a user dir under
 * `.gridbridge/`, this package linked into the user dir so its nodes load as an installed palette module, and the
 * editor settings decided (no telemetry, no update-notification dialog, no welcome tour) so it opens on the flow.
 */
const node_http_1 = require("node:http");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const validate_js_1 = require("./validate.js");
/** Make the package visible to Node-RED as an installed module of the user dir. */
function linkPackageIntoUserDir(userDir) {
    const pkg = require((0, node_path_1.join)(validate_js_1.packageRoot, 'package.json'));
    const modules = (0, node_path_1.join)(userDir, 'node_modules');
    (0, node_fs_1.mkdirSync)(modules, { recursive: true });
    const link = (0, node_path_1.join)(modules, pkg.name);
    try {
        if ((0, node_fs_1.lstatSync)(link))
            (0, node_fs_1.unlinkSync)(link);
    }
    catch {
        /* not there yet */
    }
    (0, node_fs_1.symlinkSync)(validate_js_1.packageRoot, link, 'dir');
    const userPkg = (0, node_path_1.join)(userDir, 'package.json');
    if (!(0, node_fs_1.existsSync)(userPkg)) {
        (0, node_fs_1.writeFileSync)(userPkg, JSON.stringify({ name: 'gridbridge-user-dir', private: true, dependencies: { [pkg.name]: pkg.version } }, null, 2) + '\n');
    }
}
async function startNodeRed(opts) {
    (0, node_fs_1.mkdirSync)(opts.userDir, { recursive: true });
    linkPackageIntoUserDir(opts.userDir);
    const RED = require('node-red');
    const express = require('express');
    const app = express();
    const server = (0, node_http_1.createServer)(app);
    const settings = {
        userDir: opts.userDir,
        flowFile: opts.flowFile,
        uiHost: opts.host,
        uiPort: opts.port,
        httpAdminRoot: '/',
        httpNodeRoot: '/api',
        flowFilePretty: true,
        telemetry: { enabled: false, updateNotification: false },
        diagnostics: { enabled: false },
        editorTheme: {
            tours: false,
            projects: { enabled: false },
            page: { title: 'GridBridge' },
            header: { title: 'GridBridge' },
        },
        externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
        logging: { console: { level: opts.logLevel ?? 'info', metrics: false, audit: false } },
        functionExternalModules: false,
        ...opts.settings,
    };
    RED.init(server, settings);
    app.use('/', RED.httpAdmin);
    app.use('/api', RED.httpNode);
    await new Promise((resolve, reject) => {
        server.once('error', (e) => reject(e.code === 'EADDRINUSE' ? new Error(`port ${opts.host}:${opts.port} is already in use (is another Node-RED running?)`) : e));
        server.listen(opts.port, opts.host, () => resolve());
    });
    await RED.start();
    const addr = server.address();
    const port = addr && typeof addr === 'object' ? addr.port : opts.port;
    return {
        url: `http://${opts.host}:${port}/`,
        async stop() {
            await RED.stop();
            await new Promise((resolve) => {
                server.closeAllConnections?.();
                server.close(() => resolve());
            });
        },
    };
}
//# sourceMappingURL=nodered.js.map