/**
 * The page of `bench/join-phases.ts`'s third client: `RoomClient` alone, with no element,
 * shaped like the Kurento tutorial's client (`test/interop/tutorial-client.js`): it joins as
 * the script runs, publishes the camera at 320x240@15 and shows one `<video>` per
 * participant. Query string: `?ws=<signaling URL>&room=<room>&name=<name>`.
 *
 * @packageDocumentation
 */
import { RoomClient } from '../../packages/sdk/src/client.js';

const query = new URLSearchParams(location.search);
const container = document.getElementById('participants')!;
const client = new RoomClient({
  url: query.get('ws')!,
  media: { audio: true, video: { width: 320, height: 240, frameRate: 15 } },
});

/** One muted, inline `<video>` showing `stream`, like the tutorial's. */
function show(stream: MediaStream): void {
  const video = document.createElement('video');
  video.autoplay = true;
  video.muted = true;
  container.append(video);
  client.attachMediaElement(video, stream);
}

client.on('localStreamAdded', show);
client.on('remoteStreamAdded', (_participant, stream) => show(stream));
client.on('error', (error) => console.error(error));
void client.join(query.get('room')!, query.get('name')!);
