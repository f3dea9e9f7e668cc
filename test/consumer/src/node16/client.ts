// moduleResolution node16 (an ESM file of a Node-style project): the `kurento-room/client`
// entry resolves through the `types` condition of `exports`.
import { RoomClient, type RoomClientEvents } from 'kurento-room/client';

export function watch(client: RoomClient): () => void {
  const listener: RoomClientEvents['participantLeft'] = (participant) =>
    console.log(participant.name);
  return client.on('participantLeft', listener);
}

// @ts-expect-error -- a misspelled event name is rejected
export const wrong = (client: RoomClient) => client.on('participantLeaves', () => {});
