/**
 * `gridbridge editor`: the Node-RED editor with the GridBridge nodes, exposed safely — bind address, logins with
 * bcrypt hashes in two roles (admin: every permission; viewer: read-only), HTTPS. It refuses to listen beyond
 * loopback without a login, and without HTTPS unless told `--allow-http` (logins would cross the network in clear).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import { usersFromEnv, type EditorUser } from '../../runtime/editor-security.js';
import { startNodeRed } from '../../runtime/nodered.js';
import { emit, parseCommandLine, portFlag, readCheckedFile, untilSignal, warn } from '../jsonl.js';

export const summary = 'Node-RED editor with the GridBridge nodes: gridbridge editor [--host H] [--port P] [--https-cert F --https-key F] [--users FILE]';

const usage = `usage: gridbridge editor [--host ADDR] [--port N] [--user-dir DIR] [--flows FILE]
                         [--https-cert FILE --https-key FILE] [--allow-http]
                         [--admin-user NAME --admin-hash BCRYPT] [--viewer-user NAME --viewer-hash BCRYPT]
                         [--users FILE] [--log json|text] [--log-level LEVEL]
  Runs Node-RED (editor and flows) with this package's nodes installed in the user directory.
  --host          address to listen on (default 127.0.0.1). Any other address needs at least one login, and HTTPS
                  (or --allow-http, which sends logins in clear text: only on a network you trust)
  --port          default 1880 (0: any free port)
  --user-dir      Node-RED user directory (default .gridbridge/editor); --flows: flow file in it (default flows.json)
  --admin-user/--admin-hash    a login with every permission; the hash from \`npx node-red admin hash-pw\`
  --viewer-user/--viewer-hash  a read-only login: sees flows, debug and metrics, cannot deploy
                  (or GB_ADMIN_USER/GB_ADMIN_HASH/GB_VIEWER_USER/GB_VIEWER_HASH from the environment)
  --users         YAML file: users: [{username, passwordHash, role: admin|viewer}] (instead of the flags)
  --https-cert/--https-key     PEM files of the editor's certificate and key
  GB_CREDENTIAL_SECRET (environment): the key that encrypts node credentials (passwords, TLS keys) in the
  flows credential file; without it Node-RED generates one and keeps it in the user directory.
  Prints one JSON line {"event":"editor","url":…} when listening; stops on SIGINT/SIGTERM.`;

const UsersFileSchema = z.strictObject({
  users: z
    .array(
      z.strictObject({
        username: z.string().min(1),
        passwordHash: z.string().regex(/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/, 'a bcrypt hash (npx node-red admin hash-pw), not a clear password'),
        role: z.enum(['admin', 'viewer']),
      }),
    )
    .min(1),
});

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(
    argv,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      'user-dir': { type: 'string' },
      flows: { type: 'string' },
      'https-cert': { type: 'string' },
      'https-key': { type: 'string' },
      'allow-http': { type: 'boolean' },
      'admin-user': { type: 'string' },
      'admin-hash': { type: 'string' },
      'viewer-user': { type: 'string' },
      'viewer-hash': { type: 'string' },
      users: { type: 'string' },
      log: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    usage,
  );
  if (typeof cli === 'number') return cli;
  const v = cli.values;
  const host = v.host ?? '127.0.0.1';
  const port = portFlag(v.port ?? '1880', '--port');
  if (port === undefined) return 2;
  if (Boolean(v['https-cert']) !== Boolean(v['https-key'])) {
    warn('--https-cert and --https-key go together');
    return 2;
  }
  const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
  const level = v['log-level'] as (typeof LEVELS)[number] | undefined;
  if ((v.log && v.log !== 'json' && v.log !== 'text') || (level && !LEVELS.includes(level))) {
    warn(`--log: json or text; --log-level: ${LEVELS.join(', ')}`);
    return 2;
  }
  const flagUsers = usersFromEnv({
    GB_ADMIN_USER: v['admin-user'] ?? process.env.GB_ADMIN_USER,
    GB_ADMIN_HASH: v['admin-hash'] ?? process.env.GB_ADMIN_HASH,
    GB_VIEWER_USER: v['viewer-user'] ?? process.env.GB_VIEWER_USER,
    GB_VIEWER_HASH: v['viewer-hash'] ?? process.env.GB_VIEWER_HASH,
  });
  let users: EditorUser[] = flagUsers;
  if (v.users) {
    if (flagUsers.length) {
      warn('--users: give the logins either in the file or as --admin-*/--viewer-* (and GB_*), not both');
      return 2;
    }
    const file = readCheckedFile(v.users, UsersFileSchema);
    if (!file) return 2;
    users = file.users;
  }
  const credentialSecret = process.env.GB_CREDENTIAL_SECRET;
  let red: Awaited<ReturnType<typeof startNodeRed>>;
  try {
    red = await startNodeRed({
      userDir: resolve(v['user-dir'] ?? '.gridbridge/editor'),
      flowFile: v.flows ?? 'flows.json',
      host,
      port,
      ...(level ? { logLevel: level } : {}),
      ...(v.log === 'json' ? { logFormat: 'json' as const } : {}),
      security: { users, ...(v['allow-http'] ? { allowHttp: true } : {}), ...(v['https-cert'] && v['https-key'] ? { tls: { cert: v['https-cert'], key: v['https-key'] } } : {}) },
      ...(credentialSecret ? { settings: { credentialSecret } } : {}),
    });
  } catch (e) {
    warn(`gridbridge editor: ${errorMessage(e)}`);
    return isRefusal(e) ? 2 : 1;
  }
  emit('editor', { url: red.url, users: users.map((u) => ({ username: u.username, role: u.role })), https: red.url.startsWith('https:') });
  const sig = await untilSignal();
  emit('stopping', { signal: sig });
  await red.stop();
  // Node-RED keeps handles after a deploy (storage, comms); once stopped, nothing is left to finish.
  setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  return 0;
}

function isRefusal(e: unknown): boolean {
  return /refusing|bcrypt|given twice|without a name|cannot read/.test(errorMessage(e));
}
