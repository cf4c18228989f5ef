// Parses an AsyncAPI document with the official parser, resolving its file references, and prints every
// diagnostic. Exits 1 when any diagnostic is an error (or the document cannot be read), 2 on bad usage.
import { Parser, fromFile } from '@asyncapi/parser';

const severities = ['error', 'warning', 'info', 'hint'];

const path = process.argv[2];
if (!path) {
  console.error('usage: node validate.mjs <asyncapi.yaml>');
  process.exit(2);
}

const parser = new Parser();
let result;
try {
  result = await fromFile(parser, path).parse();
} catch (error) {
  console.error(`error: cannot parse ${path}: ${error.message}`);
  process.exit(1);
}

const { document, diagnostics } = result;
for (const d of diagnostics) {
  const where = d.path && d.path.length > 0 ? d.path.join('.') : '(root)';
  const line = d.range ? `:${d.range.start.line + 1}` : '';
  console.log(`${severities[d.severity] ?? d.severity} ${d.code} ${d.source ?? path}${line} ${where}: ${d.message}`);
}

const errors = diagnostics.filter((d) => d.severity === 0).length;
if (errors > 0 || document === undefined) {
  console.error(`${path}: invalid (${errors} error(s))`);
  process.exit(1);
}

const channels = document.channels().all().map((c) => c.address());
console.log(`${path}: valid AsyncAPI ${document.version()}, ${channels.length} channels, ${document.operations().length} operations`);
