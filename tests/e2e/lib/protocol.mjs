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
