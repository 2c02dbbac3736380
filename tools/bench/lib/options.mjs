// Command-line options of the Node benchmark scripts: `--name value` for
// each key of `defaults` (numbers parsed as numbers), `--flag` for booleans.
// An unknown option or a stray argument goes to `fail` (which exits).

export function parseOptions(defaults, fail, argv = process.argv.slice(2)) {
  const args = { ...defaults };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (!a.startsWith('--')) fail(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (!(key in args)) fail(`unknown option ${a}`);
    if (typeof args[key] === 'boolean') args[key] = true;
    else args[key] = typeof args[key] === 'number' ? Number(argv[++i]) : argv[++i];
  }
  return args;
}
