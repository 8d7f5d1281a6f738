/**
 * Embedded Node-RED for the main job (`npm start`): editor and runtime on one loopback HTTP server, a user dir under
 * `.gridbridge/`, this package linked into the user dir so its nodes load as an installed palette module, and the
 * editor settings decided (no telemetry, no update-notification dialog, no welcome tour) so it opens on the flow.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { pinoLogging } from './nodered-logging.js';
import { editorSecuritySettings, type EditorSecurity } from './editor-security.js';
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from './package-root.js';

export interface NodeRedOptions {
  userDir: string;
  host: string;
  port: number;
  flowFile: string;
  /** Extra settings merged over the defaults. */
  settings?: Record<string, unknown>;
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** 'json': pino JSON lines on stdout instead of Node-RED's console format. */
  logFormat?: 'json' | 'text';
  /** Editor users (adminAuth) and HTTPS; without users the editor only listens on loopback. */
  security?: Omit<EditorSecurity, 'host'>;
}

interface RedModule {
  init(server: Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: (req: unknown, res: unknown, next: unknown) => void;
  httpNode: (req: unknown, res: unknown, next: unknown) => void;
}

/** Make the package visible to Node-RED as an installed module of the user dir. */
export function linkPackageIntoUserDir(userDir: string): void {
  const pkg = require(join(packageRoot, 'package.json')) as { name: string; version: string };
  const modules = join(userDir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  const link = join(modules, pkg.name);
  try {
    if (lstatSync(link)) unlinkSync(link);
  } catch {
    /* not there yet */
  }
  symlinkSync(packageRoot, link, 'dir');
  const userPkg = join(userDir, 'package.json');
  if (!existsSync(userPkg)) {
    writeFileSync(userPkg, JSON.stringify({ name: 'gridbridge-user-dir', private: true, dependencies: { [pkg.name]: pkg.version } }, null, 2) + '\n');
  }
}

/**
 * The node-red package directory: `GRIDBRIDGE_NODE_RED` when set (scripts/nr5.mjs points it at a Node-RED 5 install),
 * else our dependency. Express is resolved from there too, so the app is the one that Node-RED release ships with.
 */
export function nodeRedDir(): string {
  const dir = process.env.GRIDBRIDGE_NODE_RED;
  return dir ? resolve(dir) : dirname(require.resolve('node-red/package.json'));
}

export async function startNodeRed(opts: NodeRedOptions): Promise<{ url: string; stop(): Promise<void> }> {
  mkdirSync(opts.userDir, { recursive: true });
  linkPackageIntoUserDir(opts.userDir);
  const redDir = nodeRedDir();
  const RED = require(redDir) as RedModule;
  const express = require(require.resolve('express', { paths: [redDir] })) as () => { use(path: string, h: unknown): void } & ((req: unknown, res: unknown) => void);
  const app = express();
  const sec = editorSecuritySettings({ host: opts.host, ...opts.security });
  const server = sec.https ? createHttpsServer(sec.https, app) : createServer(app);
  const settings: Record<string, unknown> = {
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
      page: { title: 'GridBridge' },
      header: { title: 'GridBridge' },
    },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    logging: opts.logFormat === 'json' ? pinoLogging(opts.logLevel ?? 'info') : { console: { level: opts.logLevel ?? 'info', metrics: false, audit: false } },
    functionExternalModules: false,
    ...(sec.adminAuth ? { adminAuth: sec.adminAuth, httpAdminMiddleware: sec.httpAdminMiddleware } : {}),
    ...opts.settings,
  };
  RED.init(server, settings);
  // Dashboard 2 serves under httpNodeRoot (/api/dashboard); /dashboard, where Node-RED's defaults put it, leads there.
  app.use('/dashboard', (req: { url: string }, res: { redirect(code: number, to: string): void }) => res.redirect(302, `/api/dashboard${req.url === '/' ? '' : req.url}`));
  app.use('/', RED.httpAdmin);
  app.use('/api', RED.httpNode);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`port ${opts.host}:${opts.port} is already in use (is another Node-RED running?)`) : e),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  await RED.start();
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : opts.port;
  return {
    url: `${sec.https ? 'https' : 'http'}://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}/`,
    async stop() {
      await RED.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
