#!/usr/bin/env node
// Generates include/rustguard/protocol/packet_ids.gen.hpp: for every release
// protocol version RustGuard supports, the packet id of every PacketKind.
//
// Source of truth: minecraft-data (pinned in tests/node/package.json). Packet
// names drift between versions, so KINDS below maps each kind to the
// minecraft-data name per protocol range. Every range is checked against the
// data both ways: a kind missing inside its declared range, or one of its names
// appearing outside it, aborts the run. A minecraft-data update therefore cannot
// silently drop or add a packet; it forces a reviewed edit of KINDS.
//
// Usage (from the repository root):
//   (cd tests/node && npm ci) && node tools/codegen/generate_packet_ids.mjs
//   node tools/codegen/generate_packet_ids.mjs --check   # exit 1 if the header is stale
//   node tools/codegen/generate_packet_ids.mjs --out FILE

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { failer, nodeDir, parseArgs, repoRoot, writeOrCheck } from './generator_cli.mjs';

const defaultOut = path.join(repoRoot, 'include', 'rustguard', 'protocol', 'packet_ids.gen.hpp');

// Supported protocol window: 1.8 .. 26.1. Raising MAX_PROTOCOL is a deliberate
// act: rerun, read the failures, extend KINDS.
const MIN_PROTOCOL = 47;
const MAX_PROTOCOL = 775;
const OPEN = Infinity;

// ---------------------------------------------------------------------------
// Kind table. Order here is the enum order (keep it grouped by state, then
// direction). `names` lists [fromProtocol, toProtocol, minecraftDataName]
// ranges; outside every range the kind does not exist (id -1).
// ---------------------------------------------------------------------------
const c2s = 'serverbound';
const s2c = 'clientbound';

const KINDS = [
  // handshake
  { kind: 'intention_c2s', state: 'handshake', dir: c2s, names: [[47, OPEN, 'set_protocol']] },

  // status
  { kind: 'status_request_c2s', state: 'status', dir: c2s, names: [[47, OPEN, 'ping_start']] },
  { kind: 'status_ping_c2s', state: 'status', dir: c2s, names: [[47, OPEN, 'ping']] },
  { kind: 'status_response_s2c', state: 'status', dir: s2c, names: [[47, OPEN, 'server_info']] },
  { kind: 'status_pong_s2c', state: 'status', dir: s2c, names: [[47, OPEN, 'ping']] },

  // login, serverbound
  { kind: 'login_start_c2s', state: 'login', dir: c2s, names: [[47, OPEN, 'login_start']] },
  { kind: 'encryption_response_c2s', state: 'login', dir: c2s, names: [[47, OPEN, 'encryption_begin']] },
  { kind: 'login_plugin_response_c2s', state: 'login', dir: c2s, names: [[393, OPEN, 'login_plugin_response']] },
  { kind: 'login_acknowledged_c2s', state: 'login', dir: c2s, names: [[764, OPEN, 'login_acknowledged']] },
  { kind: 'login_cookie_response_c2s', state: 'login', dir: c2s, names: [[766, OPEN, 'cookie_response']] },

  // login, clientbound
  { kind: 'login_disconnect_s2c', state: 'login', dir: s2c, names: [[47, OPEN, 'disconnect']] },
  { kind: 'encryption_request_s2c', state: 'login', dir: s2c, names: [[47, OPEN, 'encryption_begin']] },
  { kind: 'login_success_s2c', state: 'login', dir: s2c, names: [[47, OPEN, 'success']] },
  { kind: 'set_compression_login_s2c', state: 'login', dir: s2c, names: [[47, OPEN, 'compress']] },
  { kind: 'login_plugin_request_s2c', state: 'login', dir: s2c, names: [[393, OPEN, 'login_plugin_request']] },
  { kind: 'login_cookie_request_s2c', state: 'login', dir: s2c, names: [[766, OPEN, 'cookie_request']] },

  // configuration (1.20.2+), serverbound
  { kind: 'config_client_information_c2s', state: 'configuration', dir: c2s, names: [[764, OPEN, 'settings']] },
  { kind: 'config_custom_payload_c2s', state: 'configuration', dir: c2s, names: [[764, OPEN, 'custom_payload']] },
  { kind: 'finish_configuration_c2s', state: 'configuration', dir: c2s, names: [[764, OPEN, 'finish_configuration']] },
  { kind: 'config_keep_alive_c2s', state: 'configuration', dir: c2s, names: [[764, OPEN, 'keep_alive']] },
  { kind: 'config_pong_c2s', state: 'configuration', dir: c2s, names: [[764, OPEN, 'pong']] },

  // configuration (1.20.2+), clientbound
  { kind: 'config_custom_payload_s2c', state: 'configuration', dir: s2c, names: [[764, OPEN, 'custom_payload']] },
  { kind: 'config_disconnect_s2c', state: 'configuration', dir: s2c, names: [[764, OPEN, 'disconnect']] },
  { kind: 'finish_configuration_s2c', state: 'configuration', dir: s2c, names: [[764, OPEN, 'finish_configuration']] },
  { kind: 'config_keep_alive_s2c', state: 'configuration', dir: s2c, names: [[764, OPEN, 'keep_alive']] },
  { kind: 'config_ping_s2c', state: 'configuration', dir: s2c, names: [[764, OPEN, 'ping']] },

  // play, serverbound
  { kind: 'confirm_teleport_c2s', state: 'play', dir: c2s, names: [[107, OPEN, 'teleport_confirm']] },
  // 26.1 split the attack action out of use_entity into its own packet.
  { kind: 'attack_c2s', state: 'play', dir: c2s, names: [[775, OPEN, 'attack']] },
  { kind: 'interact_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'use_entity']] },
  { kind: 'keep_alive_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'keep_alive']] },
  { kind: 'pong_c2s', state: 'play', dir: c2s, names: [[755, OPEN, 'pong']] },
  { kind: 'window_confirmation_c2s', state: 'play', dir: c2s, names: [[47, 754, 'transaction']] },
  { kind: 'set_position_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'position']] },
  { kind: 'set_position_rotation_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'position_look']] },
  { kind: 'set_rotation_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'look']] },
  { kind: 'set_movement_flags_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'flying']] },
  // 1.21.2 replaced steer_vehicle (sideways/forward floats) with player_input
  // (a key bitset sent for walking too); same kind, body differs by version.
  { kind: 'player_input_c2s', state: 'play', dir: c2s, names: [[47, 767, 'steer_vehicle'], [768, OPEN, 'player_input']] },
  { kind: 'client_tick_end_c2s', state: 'play', dir: c2s, names: [[768, OPEN, 'tick_end']] },
  { kind: 'swing_arm_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'arm_animation']] },
  { kind: 'player_action_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'block_dig']] },
  { kind: 'use_item_on_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'block_place']] },
  { kind: 'use_item_c2s', state: 'play', dir: c2s, names: [[107, OPEN, 'use_item']] },
  { kind: 'set_held_item_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'held_item_slot']] },
  { kind: 'player_command_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'entity_action']] },
  { kind: 'player_abilities_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'abilities']] },
  { kind: 'chat_message_c2s', state: 'play', dir: c2s, names: [[47, 758, 'chat'], [759, OPEN, 'chat_message']] },
  { kind: 'chat_command_c2s', state: 'play', dir: c2s, names: [[759, OPEN, 'chat_command']] },
  { kind: 'configuration_acknowledged_c2s', state: 'play', dir: c2s, names: [[764, OPEN, 'configuration_acknowledged']] },
  { kind: 'custom_payload_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'custom_payload']] },
  { kind: 'vehicle_move_c2s', state: 'play', dir: c2s, names: [[107, OPEN, 'vehicle_move']] },
  { kind: 'client_command_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'client_command']] },
  { kind: 'client_information_c2s', state: 'play', dir: c2s, names: [[47, OPEN, 'settings']] },

  // play, clientbound
  { kind: 'login_play_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'login']] },
  { kind: 'sync_player_position_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'position']] },
  { kind: 'player_rotation_s2c', state: 'play', dir: s2c, names: [[768, OPEN, 'player_rotation']] },
  { kind: 'entity_effect_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'entity_effect']] },
  { kind: 'remove_entity_effect_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'remove_entity_effect']] },
  { kind: 'update_attributes_s2c', state: 'play', dir: s2c,
    names: [[47, 47, 'update_attributes'], [107, OPEN, 'entity_update_attributes']] },
  { kind: 'set_entity_velocity_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'entity_velocity']] },
  { kind: 'explosion_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'explosion']] },
  { kind: 'game_event_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'game_state_change']] },
  { kind: 'player_abilities_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'abilities']] },
  { kind: 'respawn_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'respawn']] },
  { kind: 'keep_alive_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'keep_alive']] },
  { kind: 'ping_s2c', state: 'play', dir: s2c, names: [[755, OPEN, 'ping']] },
  { kind: 'window_confirmation_s2c', state: 'play', dir: s2c, names: [[47, 754, 'transaction']] },
  { kind: 'spawn_entity_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'spawn_entity']] },
  { kind: 'spawn_living_entity_s2c', state: 'play', dir: s2c, names: [[47, 758, 'spawn_entity_living']] },
  { kind: 'spawn_player_s2c', state: 'play', dir: s2c, names: [[47, 763, 'named_entity_spawn']] },
  { kind: 'entity_relative_move_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'rel_entity_move']] },
  { kind: 'entity_move_rotation_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'entity_move_look']] },
  { kind: 'entity_rotation_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'entity_look']] },
  { kind: 'entity_teleport_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'entity_teleport']] },
  { kind: 'entity_position_sync_s2c', state: 'play', dir: s2c, names: [[768, OPEN, 'sync_entity_position']] },
  // 1.17 (755) alone sent one entity per packet ("destroy_entity"); 1.17.1
  // went back to the id array.
  { kind: 'remove_entities_s2c', state: 'play', dir: s2c,
    names: [[47, 754, 'entity_destroy'], [755, 755, 'destroy_entity'], [756, OPEN, 'entity_destroy']] },
  { kind: 'set_health_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'update_health']] },
  { kind: 'start_configuration_s2c', state: 'play', dir: s2c, names: [[764, OPEN, 'start_configuration']] },
  { kind: 'bundle_delimiter_s2c', state: 'play', dir: s2c, names: [[762, OPEN, 'bundle_delimiter']] },
  { kind: 'disconnect_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'kick_disconnect']] },
  { kind: 'set_compression_play_s2c', state: 'play', dir: s2c, names: [[47, 47, 'set_compression']] },
  { kind: 'chunk_data_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'map_chunk']] },
  { kind: 'custom_payload_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'custom_payload']] },
  // Riding: 1.8's attach_entity names one rider and its vehicle (or a leash);
  // from 1.9 set_passengers lists a vehicle's riders and attach_entity is
  // only the leash.
  { kind: 'attach_entity_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'attach_entity']] },
  { kind: 'set_passengers_s2c', state: 'play', dir: s2c, names: [[107, OPEN, 'set_passengers']] },
  { kind: 'entity_status_s2c', state: 'play', dir: s2c, names: [[47, OPEN, 'entity_status']] },
  // RustGuard's staff alerts: until 1.18.2 the one clientbound chat packet
  // (with a position byte), from 1.19 the system-only one (players' own
  // messages moved to player_chat).
  { kind: 'system_chat_s2c', state: 'play', dir: s2c, names: [[47, 758, 'chat'], [759, OPEN, 'system_chat']] },
];

// minecraft-data's protocol.json keys for our State / Direction.
const STATE_KEYS = { handshake: 'handshaking', status: 'status', login: 'login', configuration: 'configuration', play: 'play' };
const DIR_KEYS = { serverbound: 'toServer', clientbound: 'toClient' };
const STATE_ORDER = ['handshake', 'status', 'login', 'configuration', 'play'];
const DIR_ORDER = ['serverbound', 'clientbound'];

// ---------------------------------------------------------------------------

const fail = failer('generate_packet_ids');

function loadMinecraftData() {
  const require = createRequire(path.join(nodeDir, 'package.json'));
  let pkgPath;
  try {
    pkgPath = require.resolve('minecraft-data/package.json');
  } catch {
    fail(`cannot resolve minecraft-data from ${nodeDir}; run 'npm ci' there first`);
  }
  const root = path.dirname(pkgPath);
  const readJson = (rel) => JSON.parse(readFileSync(path.join(root, 'minecraft-data', 'data', rel), 'utf8'));
  return {
    version: JSON.parse(readFileSync(pkgPath, 'utf8')).version,
    protocolVersions: readJson('pc/common/protocolVersions.json'),
    dataPaths: readJson('dataPaths.json').pc,
    readProtocol: (dataDir) => readJson(`${dataDir}/protocol.json`),
  };
}

// "1.21.10" > "1.21.9"; numeric, component-wise.
function compareReleaseNames(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); ++i) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// Older protocolVersions.json entries have no releaseType; a release is then
// recognised by its purely numeric name (no -pre, -rc, snapshot letters).
function isRelease(entry) {
  if (!entry.usesNetty) return false;
  if (entry.releaseType !== undefined) return entry.releaseType === 'release';
  return /^\d+\.\d+(\.\d+)?$/.test(entry.minecraftVersion);
}

// One group per protocol number: its release names (ascending) and the
// minecraft-data directory used for the newest of them, resolved like
// minecraft-data itself does (exact name first, then its majorVersion).
function releaseGroups(mc) {
  const byProtocol = new Map();
  const majorOf = new Map();
  for (const entry of mc.protocolVersions) {
    if (!isRelease(entry) || entry.version < MIN_PROTOCOL || entry.version > MAX_PROTOCOL) continue;
    if (!/^\d+\.\d+(\.\d+)?$/.test(entry.minecraftVersion)) fail(`unexpected release name '${entry.minecraftVersion}'`);
    if (!byProtocol.has(entry.version)) byProtocol.set(entry.version, new Set());
    byProtocol.get(entry.version).add(entry.minecraftVersion);
    majorOf.set(entry.minecraftVersion, entry.majorVersion);
  }
  const groups = [];
  for (const protocol of [...byProtocol.keys()].sort((a, b) => a - b)) {
    const names = [...byProtocol.get(protocol)].sort(compareReleaseNames);
    const newest = names[names.length - 1];
    const key = mc.dataPaths[newest] ? newest : majorOf.get(newest);
    const dataPath = mc.dataPaths[key]?.protocol;
    if (!dataPath) fail(`no protocol data for ${newest} (protocol ${protocol})`);
    const dataDir = dataPath; // e.g. "pc/1.21.8"
    groups.push({ protocol, names, dataDir });
  }
  if (groups.length === 0 || groups[0].protocol !== MIN_PROTOCOL || groups.at(-1).protocol !== MAX_PROTOCOL) {
    fail(`release list does not span ${MIN_PROTOCOL}..${MAX_PROTOCOL}`);
  }
  return groups;
}

// protocol.json -> { 'play.serverbound': Map(name -> id), ... }
function packetIdsByName(protocolJson, where) {
  const out = {};
  for (const state of STATE_ORDER) {
    for (const dir of DIR_ORDER) {
      const mapping = new Map();
      const section = protocolJson[STATE_KEYS[state]]?.[DIR_KEYS[dir]];
      const packetType = section?.types?.packet;
      if (packetType) {
        // ["container", [{ name: "name", type: ["mapper", { type: "varint", mappings: { "0x00": "..." } }] }, ...]]
        const nameField = packetType[1]?.find?.((f) => f.name === 'name');
        const mappings = nameField?.type?.[1]?.mappings;
        if (!mappings) fail(`${where}: unexpected packet mapper layout in ${state}/${dir}`);
        for (const [hex, name] of Object.entries(mappings)) {
          const id = Number.parseInt(hex, 16);
          if (!Number.isInteger(id) || id < 0 || id > 255) fail(`${where}: ${state}/${dir} id ${hex} outside 0..255`);
          if (mapping.has(name)) fail(`${where}: ${state}/${dir} name '${name}' mapped twice`);
          mapping.set(name, id);
        }
      }
      out[`${state}.${dir}`] = mapping;
    }
  }
  return out;
}

function validateKinds() {
  const seen = new Set();
  for (const k of KINDS) {
    if (seen.has(k.kind)) fail(`duplicate kind ${k.kind}`);
    seen.add(k.kind);
    if (!STATE_KEYS[k.state] || !DIR_KEYS[k.dir]) fail(`${k.kind}: bad state/direction`);
    const suffix = k.dir === c2s ? '_c2s' : '_s2c';
    if (!k.kind.endsWith(suffix)) fail(`${k.kind}: direction ${k.dir} needs suffix ${suffix}`);
    const ranges = [...k.names].sort((a, b) => a[0] - b[0]);
    for (let i = 0; i < ranges.length; ++i) {
      if (ranges[i][0] > ranges[i][1]) fail(`${k.kind}: empty range ${ranges[i]}`);
      if (i > 0 && ranges[i][0] <= ranges[i - 1][1]) fail(`${k.kind}: overlapping ranges`);
    }
  }
  if (KINDS.length >= 255) fail('too many kinds for a uint8_t enum');
}

function expectedName(kind, protocol) {
  const r = kind.names.find(([from, to]) => protocol >= from && protocol <= to);
  return r ? r[2] : null;
}

function buildTables(mc, groups) {
  const errors = [];
  for (const g of groups) {
    const byName = packetIdsByName(mc.readProtocol(g.dataDir), `${g.dataDir} (protocol ${g.protocol})`);
    // How many packet ids each (state, direction) has in this version, so a
    // proxy can tell an id the game does not have from one it merely does not
    // inspect. Ids are dense from 0 in every version; checked here.
    g.laneCounts = [];
    for (const state of STATE_ORDER) {
      for (const dir of DIR_ORDER) {
        // The pre-1.7 server-list ping (0xFE) is not a framed packet; the
        // frame decoder recognises it before any id is read.
        const ids = [...byName[`${state}.${dir}`].entries()]
          .filter(([name]) => name !== 'legacy_server_list_ping').map(([, id]) => id).sort((a, b) => a - b);
        if (ids.some((id, i) => id !== i)) errors.push(`protocol ${g.protocol}: ${state}/${dir} ids are not dense from 0`);
        g.laneCounts.push(ids.length);
      }
    }
    g.ids = KINDS.map((k) => {
      const table = byName[`${k.state}.${k.dir}`];
      const name = expectedName(k, g.protocol);
      if (name === null) {
        // Absent by declaration: make sure the data agrees, so a packet that
        // appears in a new version is noticed instead of ignored.
        for (const [, , other] of k.names) {
          if (table.has(other)) errors.push(`${k.kind}: '${other}' exists in protocol ${g.protocol} (${g.dataDir}) outside its declared range`);
        }
        return -1;
      }
      if (!table.has(name)) {
        errors.push(`${k.kind}: '${name}' missing from ${k.state}/${k.dir} in protocol ${g.protocol} (${g.dataDir})`);
        return -1;
      }
      return table.get(name);
    });
    // Reverse lookup needs one kind per (state, direction, id).
    const used = new Map();
    KINDS.forEach((k, i) => {
      if (g.ids[i] < 0) return;
      const key = `${k.state}.${k.dir}.${g.ids[i]}`;
      if (used.has(key)) errors.push(`protocol ${g.protocol}: ${k.kind} and ${used.get(key)} share id ${g.ids[i]}`);
      used.set(key, k.kind);
    });
  }
  if (errors.length) fail(`minecraft-data disagrees with KINDS:\n  ${errors.join('\n  ')}`);
}

function cppString(s) {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function render(mc, groups) {
  const n = KINDS.length;
  const lines = [];
  const push = (s = '') => lines.push(s);
  push(`// @generated by tools/codegen/generate_packet_ids.mjs from minecraft-data ${mc.version}. Do not edit; rerun: (cd tests/node && npm ci) && node tools/codegen/generate_packet_ids.mjs`);
  push('#pragma once');
  push('// Packet ids of every inspected packet kind in every supported release');
  push('// protocol. Use rustguard/protocol/packet_registry.hpp rather than this table.');
  push();
  push('#include <array>');
  push('#include <cstddef>');
  push('#include <cstdint>');
  push('#include <string_view>');
  push();
  push('#include "rustguard/protocol/state.hpp"');
  push();
  push('namespace rustguard::protocol {');
  push();
  push('enum class PacketKind : std::uint8_t {');
  for (const k of KINDS) push(`  ${k.kind},`);
  push('  count');
  push('};');
  push();
  push(`inline constexpr std::size_t kPacketKindCount = ${n};`);
  push();
  push('namespace detail {');
  push();
  push('inline constexpr std::array<std::string_view, kPacketKindCount> kKindNames{');
  for (const k of KINDS) push(`    ${cppString(k.kind)},`);
  push('};');
  push();
  const stateList = (k) => `State::${k.state}`;
  const dirList = (k) => `Direction::${k.dir}`;
  push('inline constexpr std::array<State, kPacketKindCount> kKindStates{');
  push(wrap(KINDS.map(stateList), '    '));
  push('};');
  push();
  push('inline constexpr std::array<Direction, kPacketKindCount> kKindDirections{');
  push(wrap(KINDS.map(dirList), '    '));
  push('};');
  push();
  push('// One supported protocol number. ids[kind] is the packet id, -1 if absent.');
  push('struct VersionIds {');
  push('  std::int32_t protocol;');
  push('  std::string_view release_names;  // e.g. "1.21.7, 1.21.8"');
  push('  std::string_view data_dir;       // minecraft-data directory the ids came from');
  push('  std::array<std::int16_t, kPacketKindCount> ids;');
  push('  // Number of packet ids per (state, direction), in State order, serverbound');
  push('  // then clientbound: ids at or above it do not exist in this version.');
  push('  std::array<std::uint8_t, kStateCount * 2> id_counts;');
  push('};');
  push();
  push('}  // namespace detail');
  push();
  push('// Ascending by protocol. Columns follow PacketKind order.');
  push(`inline constexpr std::array<detail::VersionIds, ${groups.length}> kVersions{{`);
  for (const g of groups) {
    push(`    {${g.protocol}, ${cppString(g.names.join(', '))}, ${cppString(g.dataDir)}, {${g.ids.join(',')}}, {${g.laneCounts.join(',')}}},`);
  }
  push('}};');
  push();
  push('}  // namespace rustguard::protocol');
  return lines.join('\n') + '\n';
}

function wrap(items, indent) {
  const out = [];
  let line = indent;
  for (const item of items) {
    const piece = `${item}, `;
    if (line.length + piece.length > 100 && line.trim()) {
      out.push(line.trimEnd());
      line = indent;
    }
    line += piece;
  }
  if (line.trim()) out.push(line.trimEnd());
  return out.join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2), defaultOut, fail);
  validateKinds();
  const mc = loadMinecraftData();
  const groups = releaseGroups(mc);
  buildTables(mc, groups);
  const text = render(mc, groups);
  writeOrCheck(args, text, `${KINDS.length} kinds x ${groups.length} protocol versions ` +
    `(${groups[0].protocol}..${groups.at(-1).protocol}) from minecraft-data ${mc.version}`, fail);
}

main();
