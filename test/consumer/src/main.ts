// Plain TypeScript: the SDK core and the element, as an app without a framework uses them.
// esbuild bundles this file for the browser.
import 'kurento-room';
import {
  RoomClient,
  SignalingError,
  activeSpeaker,
  type Participant,
  type RoomError,
} from 'kurento-room/client';
import { GROUPCALL_PATH, parseServerMessage } from 'kurento-room/protocol';

const client = new RoomClient({
  url: `wss://example.com${GROUPCALL_PATH}`,
  monitors: [activeSpeaker()],
});

const off = client.on('remoteStreamAdded', (participant: Participant, stream: MediaStream) => {
  console.log(participant.name, stream.id);
});
client.on('connectionStateChanged', (state, previous) => console.log(previous, '->', state));
client.on('error', (error: RoomError) => {
  if (error instanceof SignalingError) console.warn(error.reason, error.code);
});
off();

// @ts-expect-error -- a misspelled event name is rejected
client.on('remoteStreamAdd', () => {});
// @ts-expect-error -- a listener with the wrong signature is rejected
client.on('participantJoined', (name: string) => console.log(name));

const parsed = parseServerMessage('{"id":"participantLeft","name":"Ada"}');
console.log(parsed);

// The element: the tag is typed, and so is every event's detail.
const room = document.querySelector('kurento-room');
if (room) {
  room.room = 'standup';
  room.name = 'Ada';
  room.layout = 'speaker';
  room.autojoin = true;
  room.addEventListener('room-error', (event) => {
    const reason: string = event.detail.error.reason;
    console.warn(reason);
  });
  room.addEventListener('participant-joined', (event) =>
    console.log(event.detail.participant.name),
  );
  room.addEventListener('layout-changed', (event) => console.log(event.detail.layout));
  document.addEventListener('connection-state-changed', (event) => console.log(event.detail.state));

  // @ts-expect-error -- a misspelled event name gives a plain Event, which has no detail
  room.addEventListener('room-eror', (event) => console.log(event.detail));
  // @ts-expect-error -- a listener with the wrong signature is rejected
  room.addEventListener('participant-joined', (event: CustomEvent<{ name: number }>) => event);
  // @ts-expect-error -- layout is 'grid' or 'speaker'
  room.layout = 'mosaic';
}

// Created in code: the constructor is the element's class.
const created = document.createElement('kurento-room');
created.media = false;
document.body.append(created);
