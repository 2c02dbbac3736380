#!/usr/bin/env node
// Generates include/rustguard/context/entity_dimensions.gen.hpp: for every
// supported protocol, the width and height of each entity type id the spawn
// packets carry, and how many client ticks the client interpolates a move
// of that type over. The entity tracker (context/tracked_entities.hpp) sizes
// the boxes the reach and hitbox checks test against from it.
//
// Source of truth: minecraft-data (pinned in tests/node/package.json),
// entities.json of each release. Before 1.14 the spawn packets use two id
// spaces: Spawn Object / Add Entity ids ('object' entries) and Spawn Mob ids
// ('mob' entries, the registry ids); from 1.14 there is one.
//
// Interpolation ticks are not in minecraft-data: boats 10, minecarts 5, every
// other entity 3 (what modern clients use for a moved entity; 1.8 clients
// use 3 for everything they interpolate).
//
// Some types take their size from metadata the tracker does not read, and
// can grow far beyond the listed size: slimes and magma cubes (size up to
// 127 by command), phantoms, puffed pufferfish, a peeking shulker, the
// interaction entity (any width and height). They are marked
// `sized_by_metadata`; the tracker treats their size as unknown, so the
// combat checks never flag on it.
//
// Usage (from the repository root):
//   (cd tests/node && npm ci) && node tools/codegen/generate_entity_dimensions.mjs
//   node tools/codegen/generate_entity_dimensions.mjs --check   # exit 1 if the header is stale
//   node tools/codegen/generate_entity_dimensions.mjs --out FILE

import { createRequire } from 'node:module';
import path from 'node:path';

import { failer, nodeDir, parseArgs, repoRoot, writeOrCheck } from './generator_cli.mjs';

const defaultOut = path.join(repoRoot, 'include', 'rustguard', 'context', 'entity_dimensions.gen.hpp');
const MIN_PROTOCOL = 47;
const MAX_PROTOCOL = 775;
const ONE_ID_SPACE = 477; // 1.14

const fail = failer('generate_entity_dimensions');

function loadMinecraftData() {
  const require = createRequire(path.join(nodeDir, 'package.json'));
  try {
    return { minecraftData: require('minecraft-data'), version: require('minecraft-data/package.json').version };
  } catch {
    fail(`cannot resolve minecraft-data from ${nodeDir}; run 'npm ci' there first`);
  }
}

function compareReleaseNames(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); ++i) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// The newest release name of each protocol in MIN..MAX.
function releases(minecraftData) {
  const byProtocol = new Map();
  for (const e of minecraftData.versions.pc) {
    if (e.version < MIN_PROTOCOL || e.version > MAX_PROTOCOL) continue;
    if (!e.usesNetty || !/^\d+\.\d+(\.\d+)?$/.test(e.minecraftVersion)) continue;
    const cur = byProtocol.get(e.version);
    if (!cur || compareReleaseNames(e.minecraftVersion, cur) > 0) byProtocol.set(e.version, e.minecraftVersion);
  }
  const out = [...byProtocol.entries()].sort((a, b) => a[0] - b[0]);
  if (out.length === 0 || out[0][0] !== MIN_PROTOCOL || out.at(-1)[0] !== MAX_PROTOCOL) {
    fail(`release list does not span ${MIN_PROTOCOL}..${MAX_PROTOCOL}`);
  }
  return out;
}

const SIZED_BY_METADATA = new Set(['slime', 'lavaslime', 'magma_cube', 'phantom', 'pufferfish', 'shulker', 'interaction']);

function sizedByMetadata(name) {
  return SIZED_BY_METADATA.has(name.toLowerCase());
}

function interpolationTicks(name) {
  const n = name.toLowerCase();
  if (n.includes('minecart')) return 5;
  if (n === 'boat' || n.endsWith('_boat') || n.endsWith('_raft') || n === 'chest_boat' || n.endsWith('_chest_raft')) return 10;
  return 3;
}

// Dense table by id: [width, height, interp, name, sized by metadata] or null for an unused id.
function table(entries, where) {
  const rows = [];
  for (const e of entries) {
    if (!Number.isInteger(e.id) || e.id < 0 || e.id > 1024) fail(`${where}: entity id ${e.id} out of range`);
    if (!(e.width > 0 && e.height > 0)) continue; // no size known: the lookup falls back to the default
    const row = [e.width, e.height, interpolationTicks(e.name), e.name, sizedByMetadata(e.name)];
    // 1.9 and 1.10 list some object ids twice (arrow kinds); the sizes agree, keep the first name.
    if (rows[e.id] && (rows[e.id][0] !== row[0] || rows[e.id][1] !== row[1])) fail(`${where}: id ${e.id} twice with different sizes`);
    rows[e.id] ??= row;
  }
  for (let i = 0; i < rows.length; ++i) rows[i] ??= null;
  return rows;
}

function floatLiteral(x) {
  const s = String(x);
  return (s.includes('.') || s.includes('e') ? s : `${s}.0`) + 'f';
}

function render({ minecraftData, version }) {
  const groups = [];
  for (const [protocol, release] of releases(minecraftData)) {
    const md = minecraftData(release);
    if (!md || !md.entitiesArray) fail(`minecraft-data ${version} has no entities for ${release}`);
    const all = md.entitiesArray;
    const split = protocol < ONE_ID_SPACE;
    const types = table(split ? all.filter((e) => e.type !== 'object') : all, release);
    const objects = split ? table(all.filter((e) => e.type === 'object'), `${release} objects`) : [];
    const player = all.find((e) => e.name.toLowerCase() === 'player' && e.type !== 'object');
    const playerId = player ? player.id : -1;
    const key = JSON.stringify([types, objects, playerId]);
    const last = groups.at(-1);
    if (last && last.key === key) last.to = protocol;
    else groups.push({ from: protocol, to: protocol, release, types, objects, playerId, key });
  }

  const lines = [];
  const push = (s) => lines.push(s);
  push(`// @generated by tools/codegen/generate_entity_dimensions.mjs from minecraft-data ${version}`);
  push('// (entities.json). Do not edit; rerun:');
  push('//   node tools/codegen/generate_entity_dimensions.mjs');
  push('#pragma once');
  push('// Entity sizes by the type id the spawn packets carry, per protocol. Before');
  push('// 1.14 Spawn Object / Add Entity ids (`objects`) and Spawn Mob ids (`types`)');
  push('// are separate id spaces. width 0 = no entity of that id in minecraft-data.');
  push('// `player_type`: the id of the player type in `types` (-1: players have no');
  push('// type id there; they spawn with Spawn Player).');
  push('');
  push('#include <cstdint>');
  push('#include <span>');
  push('');
  push('namespace rustguard::context::detail {');
  push('');
  push('struct EntityTypeSize {');
  push('  float width;');
  push('  float height;');
  push('  std::uint8_t interpolation_ticks;');
  push('  bool sized_by_metadata;  // the size grows with metadata: not known from the type alone');
  push('};');
  push('');
  const emit = (name, rows) => {
    if (rows.length === 0) return;
    push(`inline constexpr EntityTypeSize ${name}[] = {`);
    rows.forEach((r, i) => {
      if (r === null) push(`    {0.0f, 0.0f, 0, false},  // ${i}: -`);
      else push(`    {${floatLiteral(r[0])}, ${floatLiteral(r[1])}, ${r[2]}, ${r[4]}},  // ${i}: ${r[3]}`);
    });
    push('};');
  };
  for (const g of groups) {
    push(`// protocol ${g.from}..${g.to} (from ${g.release})`);
    emit(`kEntityTypes${g.from}`, g.types);
    emit(`kEntityObjects${g.from}`, g.objects);
    push('');
  }
  push('struct EntityTable {');
  push('  std::span<const EntityTypeSize> types;');
  push('  std::span<const EntityTypeSize> objects;  // empty from 1.14');
  push('  std::int32_t player_type;');
  push('};');
  push('');
  push('// The table of a protocol; protocols newer than the newest table use it');
  push('// (type ids move between releases: regenerate when adding a version).');
  push('constexpr EntityTable entity_table(std::int32_t protocol) noexcept {');
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i];
    const objects = g.objects.length ? `kEntityObjects${g.from}` : '{}';
    push(`  if (protocol >= ${g.from}) return {kEntityTypes${g.from}, ${objects}, ${g.playerId}};`);
  }
  push('  return {{}, {}, -1};');
  push('}');
  push('');
  push('}  // namespace rustguard::context::detail');
  return { text: lines.join('\n') + '\n', tables: groups.length };
}

function main() {
  const args = parseArgs(process.argv.slice(2), defaultOut, fail);
  const { text, tables } = render(loadMinecraftData());
  writeOrCheck(args, text, `${tables} tables`, fail);
}

main();
