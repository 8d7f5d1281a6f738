#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'index.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('gridbridge: not built yet; run `npm run build` first\n');
  process.exit(2);
}
require(entry)
  .main(process.argv.slice(2))
  .then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`gridbridge: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
  );
