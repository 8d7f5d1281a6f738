/**
 * `gridbridge hash-password`: the stored form of a password, read from stdin (never from the command line, where
 * it would stay in the shell history and show in `ps`). `--for editor`: a bcrypt hash for the editor logins
 * (Node-RED adminAuth, `gridbridge editor --users`, GB_ADMIN_HASH); `--for broker`: `scrypt$salt$key` for the
 * embedded broker's users file (`gridbridge run --broker-users`).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { hashBrokerPassword } from '../../protocols/mqtt/broker.js';
import { nodeRedDir } from '../../runtime/nodered.js';
import { parseCommandLine, warn } from '../jsonl.js';

export const summary = 'hash a password read from stdin: --for editor (bcrypt) | --for broker (scrypt)';

const usage = `usage: gridbridge hash-password [--for editor|broker]
  Reads the password from stdin (typed without echo on a terminal, or piped) and prints its hash.
  --for editor   bcrypt (cost 10), for the editor logins: gridbridge editor --users, GB_ADMIN_HASH, GB_VIEWER_HASH (default)
  --for broker   scrypt$salt$key, for the embedded broker's users file (gridbridge run --broker-users)`;

/** One line from stdin; on a terminal without echo. */
function readSecret(): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let buf = '';
    const tty = input.isTTY === true;
    if (tty) {
      process.stderr.write('password: ');
      input.setRawMode(true);
    }
    input.setEncoding('utf8');
    const finish = (v: string | Error): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      if (tty) {
        input.setRawMode(false);
        process.stderr.write('\n');
      }
      input.pause();
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\u0003') return finish(new Error('cancelled'));
        if (ch === '\n' || ch === '\r') return finish(buf);
        if (tty && ch === '\u007f') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    const onEnd = (): void => finish(buf);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}

export async function run(argv: string[]): Promise<number> {
  const cli = parseCommandLine(argv, { for: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, usage);
  if (typeof cli === 'number') return cli;
  const target = cli.values.for ?? 'editor';
  if (target !== 'editor' && target !== 'broker') {
    warn(`--for: editor or broker, not "${target}"`);
    return 2;
  }
  let password: string;
  try {
    password = await readSecret();
  } catch (e) {
    warn(e instanceof Error ? e.message : String(e));
    return 1;
  }
  if (password.length < 8) {
    warn('the password is shorter than 8 characters');
    return 1;
  }
  if (target === 'broker') {
    process.stdout.write(hashBrokerPassword(password) + '\n');
    return 0;
  }
  let bcrypt: { hashSync(p: string, rounds: number): string };
  try {
    bcrypt = createRequire(join(nodeRedDir(), 'package.json'))('bcryptjs') as typeof bcrypt;
  } catch {
    warn('bcrypt needs Node-RED (its bcryptjs) installed beside GridBridge; or use `npx node-red admin hash-pw`');
    return 1;
  }
  process.stdout.write(bcrypt.hashSync(password, 10) + '\n');
  return 0;
}
