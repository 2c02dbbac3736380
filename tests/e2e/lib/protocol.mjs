// The end-of-session agreement between bots and servers, which is what makes
// the packet comparison exact (see README.md, "How a session ends"):
//   1. a bot, done with its actions, sends the chat message GOODBYE and from
//      then on writes nothing (its later writes are dropped before they reach
//      the serializer, and counted);
//   2. the server, on reading GOODBYE from a player, kicks it with
//      KICK_REASON: the kick is the last packet it writes to that player, and
//      minecraft-protocol refuses writes after it;
//   3. the bot reads until its connection closes.
// So nothing is in flight when the connection closes: every packet the bot
// sent reached the server and every packet the server sent reached the bot,
// unless something between them lost it.

import { requireDep as require } from './deps.mjs';

const nbt = require('prismarine-nbt');

export const GOODBYE = 'e2e:goodbye';
export const KICK_REASON = 'e2e: session complete';

export function isChatPacket(name) {
  return name === 'chat' || name === 'chat_message';
}

// A chat component in the version's wire format (JSON text before 1.20.3,
// NBT after).
export function chatText(mcData, text) {
  return mcData.supportFeature('chatPacketsUseNbtComponents')
    ? nbt.comp({ text: nbt.string(text) })
    : JSON.stringify({ text });
}

// One Use Item On (a right click on a block face) in the version's layout,
// as mineflayer's activateBlock writes it, through `write(name, params)`
// (the bot's client, or a cheat's raw writer). `face` 0-5 (down, up, north,
// south, west, east); `cursor` [x, y, z] the hit point relative to the
// block's corner, sent in sixteenths (truncated) up to 1.10.
export function writeUseItemOn(bot, write, at, face, cursor) {
  const [x, y, z] = cursor;
  const location = { x: at.x, y: at.y, z: at.z };
  const sixteenths = { cursorX: Math.trunc(x * 16), cursorY: Math.trunc(y * 16), cursorZ: Math.trunc(z * 16) };
  const floats = { cursorX: x, cursorY: y, cursorZ: z };
  if (bot.supportFeature('blockPlaceHasHeldItem')) {
    write('block_place', { location, direction: face, heldItem: { blockId: -1 }, ...sixteenths });
  } else if (bot.supportFeature('blockPlaceHasHandAndIntCursor')) {
    write('block_place', { location, direction: face, hand: 0, ...sixteenths });
  } else if (bot.supportFeature('blockPlaceHasHandAndFloatCursor')) {
    write('block_place', { location, direction: face, hand: 0, ...floats });
  } else {
    write('block_place', { location, direction: face, hand: 0, ...floats, insideBlock: false, sequence: 0, worldBorderHit: false });
  }
}
