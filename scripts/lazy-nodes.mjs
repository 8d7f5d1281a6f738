// Build step (see nodes/lazy.ts): in the compiled node files, defer the require of src/ modules and packages until the
// node first uses one of their exports. Node builtins and sibling node files (./red.js …) stay eager. A required
// module whose binding is used other than as `binding.name` (passed whole, default import helpers) also stays eager.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REQUIRE = /^const (\w+) = require\("((?:\.\.\/|[^./])[^"]*)"\);$/gm;

/** Rewrite one compiled node file; returns the text and the modules made lazy. */
export function lazyRequires(text) {
  const lazy = [];
  const out = text.replace(REQUIRE, (line, binding, spec) => {
    if (spec.startsWith('node:')) return line;
    const uses = [...text.matchAll(new RegExp(`\\b${binding}\\b(\\.\\w+)?`, 'g'))];
    const names = [...new Set(uses.slice(1).map((m) => m[1]?.slice(1)))];
    if (names.length === 0 || names.includes(undefined)) return line;
    lazy.push(spec);
    return `const ${binding} = (0, lazy_js_1.lazyModule)(() => require("${spec}"), ${JSON.stringify(names)});`;
  });
  if (lazy.length === 0) return { text, lazy };
  // After "use strict" and the __esModule marker TypeScript puts first.
  const at = out.indexOf('\n', out.indexOf('"use strict";')) + 1;
  return { text: out.slice(0, at) + 'const lazy_js_1 = require("./lazy.js");\n' + out.slice(at), lazy };
}

export function lazyNodeFiles(dir) {
  const report = {};
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.js') || f === 'lazy.js') continue;
    const file = join(dir, f);
    const { text, lazy } = lazyRequires(readFileSync(file, 'utf8'));
    if (lazy.length) {
      writeFileSync(file, text);
      report[f] = lazy;
    }
  }
  return report;
}
