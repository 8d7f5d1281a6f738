"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.main = main;
/**
 * `gridbridge` command dispatcher. `gridbridge <verb> [<target>] …` runs `src/cli/commands/<verb>-<target>.ts`
 * if it exists, else `src/cli/commands/<verb>.ts`. Each command module exports
 * `run(argv: string[]): Promise<number>` (argv after the matched words) and `summary` (one line for --help).
 * Commands print what they do as JSON lines on stdout (see ./jsonl.ts) and diagnostics on stderr.
 */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const commandsDir = (0, node_path_1.join)(__dirname, 'commands');
function resolve(args) {
    const [verb, target] = args;
    if (!verb || !/^[a-z0-9-]+$/.test(verb))
        return undefined;
    if (target && /^[a-z0-9-]+$/.test(target)) {
        const file = (0, node_path_1.join)(commandsDir, `${verb}-${target}.js`);
        if ((0, node_fs_1.existsSync)(file))
            return { file, rest: args.slice(2), name: `${verb} ${target}` };
    }
    const file = (0, node_path_1.join)(commandsDir, `${verb}.js`);
    if ((0, node_fs_1.existsSync)(file))
        return { file, rest: args.slice(1), name: verb };
    return undefined;
}
async function help() {
    const lines = ['usage: gridbridge <command> [options]', '', 'commands:'];
    const files = (0, node_fs_1.existsSync)(commandsDir) ? (0, node_fs_1.readdirSync)(commandsDir).filter((f) => f.endsWith('.js')).sort() : [];
    for (const f of files) {
        const mod = (await import((0, node_path_1.join)(commandsDir, f)));
        lines.push(`  ${f.replace(/\.js$/, '').replace('-', ' ').padEnd(22)} ${mod.summary ?? ''}`);
    }
    lines.push('', 'Run `gridbridge <command> --help` for the options of one command.');
    process.stdout.write(lines.join('\n') + '\n');
}
async function main(argv) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
        await help();
        return argv.length === 0 ? 2 : 0;
    }
    const found = resolve(argv);
    if (!found) {
        process.stderr.write(`gridbridge: unknown command "${argv.slice(0, 2).join(' ')}" (try gridbridge --help)\n`);
        return 2;
    }
    const mod = (await import(found.file));
    return mod.run(found.rest);
}
if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    }, (err) => {
        process.stderr.write(`gridbridge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 1;
    });
}
//# sourceMappingURL=index.js.map