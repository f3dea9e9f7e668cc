// React 19: `<kurento-room>` in TSX, typed by `kurento-room/react` (types only).
import 'kurento-room';
import type {} from 'kurento-room/react';
import type { KurentoRoomElement } from 'kurento-room';
import { useRef } from 'react';

export function Room({ name }: { name: string }) {
  const ref = useRef<KurentoRoomElement>(null);
  return (
    <kurento-room
      ref={ref}
      room="standup"
      name={name}
      autojoin
      layout="speaker"
      iceServers={[{ urls: 'stun:stun.example.com' }]}
      className="room"
      onparticipant-joined={(event) => console.log(event.detail.participant.name)}
      onroom-error={(event) => console.warn(event.detail.error.reason)}
    >
      <button slot="controls" type="button" onClick={() => ref.current?.client?.leave()}>
        Hang up
      </button>
    </kurento-room>
  );
}

export const WrongLayout = () => (
  // @ts-expect-error -- layout is 'grid' or 'speaker'
  <kurento-room layout="mosaic" />
);

export const WrongListener = () => (
  // @ts-expect-error -- the room-error detail has no participant
  <kurento-room onroom-error={(event) => console.log(event.detail.participant)} />
);
