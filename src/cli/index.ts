/**
 * `gridbridge` command dispatcher. `gridbridge <verb> [<target>] …` runs `src/cli/commands/<verb>-<target>.ts`
 * if it exists, else `src/cli/commands/<verb>.ts`. Each command module exports
 * `run(argv: string[]): Promise<number>` (argv after the matched words) and `summary` (one line for --help).
 * Commands print what they do as JSON lines on stdout (see ./jsonl.ts) and diagnostics on stderr.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface CommandModule {
  run(argv: string[]): Promise<number>;
  summary?: string;
}

const commandsDir = join(__dirname, 'commands');

function resolve(args: string[]): { file: string; rest: string[]; name: string } | undefined {
  const [verb, target] = args;
  if (!verb || !/^[a-z0-9-]+$/.test(verb)) return undefined;
  if (target && /^[a-z0-9-]+$/.test(target)) {
    const file = join(commandsDir, `${verb}-${target}.js`);
    if (existsSync(file)) return { file, rest: args.slice(2), name: `${verb} ${target}` };
  }
  const file = join(commandsDir, `${verb}.js`);
  if (existsSync(file)) return { file, rest: args.slice(1), name: verb };
  return undefined;
}

async function help(): Promise<void> {
  const lines = ['usage: gridbridge <command> [options]', '', 'commands:'];
  const files = existsSync(commandsDir) ? readdirSync(commandsDir).filter((f) => f.endsWith('.js')).sort() : [];
  for (const f of files) {
    const mod = (await import(join(commandsDir, f))) as Partial<CommandModule>;
    lines.push(`  ${f.replace(/\.js$/, '').replace('-', ' ').padEnd(22)} ${mod.summary ?? ''}`);
  }
  lines.push('', 'Run `gridbridge <command> --help` for the options of one command.');
  process.stdout.write(lines.join('\n') + '\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    await help();
    return argv.length === 0 ? 2 : 0;
  }
  const found = resolve(argv);
  if (!found) {
    process.stderr.write(`gridbridge: unknown command "${argv.slice(0, 2).join(' ')}" (try gridbridge --help)\n`);
    return 2;
  }
  const mod = (await import(found.file)) as CommandModule;
  return mod.run(found.rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`gridbridge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
