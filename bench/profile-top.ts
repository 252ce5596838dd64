import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `node --import tsx bench/profile-top.ts <file.cpuprofile> [--top=25] [--by=fn|module|package]`
 *
 * Sums a V8 CPU profile's self time per function (or per module, or per package) and prints the
 * top entries with their share of the non-idle time. Used with `npm run bench -- --profile=…`,
 * which writes the profiles to .scratch/profiles/ (git-ignored).
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: profile-top.ts <file.cpuprofile> [--top=25] [--by=fn|module|package]');
  process.exit(2);
}
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
const by = args.find((a) => a.startsWith('--by='))?.slice(5) ?? 'fn';
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

function moduleOf(url: string): string {
  if (!url) return '(native)';
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = clean.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return by === 'package' ? pkg : `${pkg}/${rest.slice(rest[0].startsWith('@') ? 2 : 1).join('/')}`;
  }
  if (clean.startsWith('node:')) return by === 'package' ? 'node (core)' : clean;
  const rel = path.relative(process.cwd(), clean);
  return by === 'package' ? (rel.startsWith('src/') ? 'dispatchr src' : rel.startsWith('bench/') ? 'bench' : rel) : rel;
}

const totals = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') {
    idle += us;
    continue;
  }
  total += us;
  let key: string;
  if (by === 'fn') {
    key = `${functionName || '(anonymous)'}  ${url ? `${moduleOf(url)}:${lineNumber + 1}` : ''}`.trim();
  } else key = functionName === '(garbage collector)' || functionName === '(program)' ? functionName : moduleOf(url);
  totals.set(key, (totals.get(key) ?? 0) + us);
}

const wall = (profile.endTime - profile.startTime) / 1e6;
console.log(
  `${path.basename(file)}: ${wall.toFixed(1)} s profiled, ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle`,
);
const rows = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [key, us] of rows) {
  console.log(`${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
}

// --tree: inclusive time of the heaviest call paths below the root (depth-limited), to see where
// a request's time goes rather than which leaf burns it.
if (args.includes('--tree')) {
  const depthLimit = Number(args.find((a) => a.startsWith('--depth='))?.slice(8) ?? 12);
  const minShare = Number(args.find((a) => a.startsWith('--min='))?.slice(6) ?? 1.5) / 100;
  const inclusive = new Map<number, number>();
  const total = (id: number): number => {
    const cached = inclusive.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id)!;
    let sum = node.callFrame.functionName === '(idle)' ? 0 : (self.get(id) ?? 0);
    for (const child of node.children ?? []) sum += total(child);
    inclusive.set(id, sum);
    return sum;
  };
  const root = profile.nodes[0].id;
  const all = total(root);
  const walk = (id: number, depth: number) => {
    const node = byId.get(id)!;
    const us = inclusive.get(id)!;
    if (us / all < minShare || depth > depthLimit) return;
    const { functionName, url, lineNumber } = node.callFrame;
    console.log(
      `${'  '.repeat(depth)}${((us / all) * 100).toFixed(1)} % ${functionName || '(anonymous)'} ${url ? `${moduleOf(url)}:${lineNumber + 1}` : ''}`,
    );
    for (const child of [...(node.children ?? [])].sort((a, b) => total(b) - total(a))) walk(child, depth + 1);
  };
  console.log('\ninclusive:');
  walk(root, 0);
}
