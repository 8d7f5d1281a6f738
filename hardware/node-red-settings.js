/**
 * Production settings for Node-RED with GridBridge (copy to /etc/gridbridge/settings.js; used by
 * hardware/gridbridge-node-red.service). Everything site-specific comes from /etc/gridbridge/node-red.env:
 *
 *   GB_EDITOR_HOST=0.0.0.0            address the editor listens on (default 127.0.0.1: only this machine)
 *   GB_EDITOR_PORT=1880
 *   GB_ADMIN_USER=ops                 admin login (every permission) ...
 *   GB_ADMIN_HASH=$2b$08$...          ... with its bcrypt hash: `npx node-red admin hash-pw`
 *   GB_VIEWER_USER=noc                optional read-only login (sees flows, debug and metrics, cannot deploy)
 *   GB_VIEWER_HASH=$2b$08$...
 *   GB_HTTPS_CERT=/etc/gridbridge/editor.pem   serve the editor over HTTPS (both or neither); required beyond
 *   GB_HTTPS_KEY=/etc/gridbridge/editor.key    loopback unless GB_ALLOW_HTTP=1 (a trusted network, a TLS proxy)
 *   GB_CREDENTIAL_SECRET=...          key of flows_cred.json (node credentials: MQTT passwords, TLS keys)
 *   GB_LOG_LEVEL=info                 pino JSON logs on stdout (journald): fatal error warn info debug trace
 *   GB_CERT_DIR=/etc/gridbridge/certs managed certificate directory: upstream nodes name PEM files here (tenant CA
 *                                     chains, client certificates; keys chmod 600) instead of pasting them
 *   GB_CERT_WARN_DAYS=30              warn (log, every day) when an upstream certificate expires within this many days
 *
 * Node-RED refuses to start when the editor would listen beyond loopback without a login. Metrics for Prometheus:
 * GET <editor>/gridbridge/metrics (read permission: a viewer's bearer token), health: GET <editor>/gridbridge/health.
 */
const path = require('node:path');

const userDir = process.env.GB_USER_DIR || '/var/lib/gridbridge/node-red';
const gb = (m) => require(path.join(userDir, 'node_modules', 'node-red-contrib-gridbridge', 'dist', 'src', 'runtime', m));
const { editorSecuritySettings, usersFromEnv } = gb('editor-security.js');
const { pinoLogging } = gb('nodered-logging.js');

const cert = process.env.GB_HTTPS_CERT;
const key = process.env.GB_HTTPS_KEY;
if (Boolean(cert) !== Boolean(key)) throw new Error('GB_HTTPS_CERT and GB_HTTPS_KEY go together');
if (!process.env.GB_CREDENTIAL_SECRET) throw new Error('set GB_CREDENTIAL_SECRET: node credentials (MQTT passwords, TLS keys) are encrypted with it');

// Throws when GB_EDITOR_HOST is beyond loopback and no user is configured, or a password is not a bcrypt hash.
const security = editorSecuritySettings({
  host: process.env.GB_EDITOR_HOST || '127.0.0.1',
  users: usersFromEnv(process.env),
  ...(cert ? { tls: { cert, key } } : {}),
  ...(process.env.GB_ALLOW_HTTP === '1' ? { allowHttp: true } : {}),
});

module.exports = {
  userDir,
  flowFile: 'flows.json',
  flowFilePretty: true,
  credentialSecret: process.env.GB_CREDENTIAL_SECRET,
  uiHost: security.uiHost,
  uiPort: Number(process.env.GB_EDITOR_PORT || 1880),
  // adminAuth with the login throttle (5 failed logins from an address in 15 min: 429 until the window ends)
  ...(security.adminAuth ? { adminAuth: security.adminAuth, httpAdminMiddleware: security.httpAdminMiddleware } : {}),
  ...(security.https ? { https: security.https, requireHttps: true } : {}),
  httpNodeRoot: '/api',
  // No module installs from the editor on a site gateway: changes go through the package manager.
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  functionExternalModules: false,
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false },
  editorTheme: { tours: false, page: { title: 'GridBridge' }, header: { title: 'GridBridge' } },
  logging: pinoLogging(process.env.GB_LOG_LEVEL || 'info'),
  // Upstream TLS material (nodes/cert-status.ts): default <userDir>/gridbridge-certs.
  ...(process.env.GB_CERT_DIR ? { gridbridgeCertDir: process.env.GB_CERT_DIR } : {}),
  gridbridgeCertWarnDays: Number(process.env.GB_CERT_WARN_DAYS || 30),
};
