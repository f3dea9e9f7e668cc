/**
 * React 19 JSX typing of `<kurento-room>`; types only, nothing runs. Import it once in the
 * app (`import type {} from 'kurento-room/react';`) next to the import that defines the
 * element (`import 'kurento-room';`), and `<kurento-room>` in TSX takes the element's
 * properties (React 19 sets them as properties, not attributes) and one `on<event-name>`
 * listener prop per event, typed with its `detail`:
 *
 * @example
 * ```tsx
 * import 'kurento-room';
 * import type {} from 'kurento-room/react';
 *
 * export const Room = () => (
 *   <kurento-room
 *     room="standup"
 *     name="Ada"
 *     autojoin
 *     onroom-error={(event) => console.warn(event.detail.error.reason)}
 *   />
 * );
 * ```
 *
 * React 19 adds a listener for a custom element's `on…` prop with the event name as written
 * after `on` (`onroom-error` listens to `room-error`); React 18 and earlier set such props as
 * attributes, so there use a `ref` and `addEventListener`.
 *
 * @packageDocumentation
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { KurentoRoomElement } from '../element/kurento-room.js';
import type { KurentoRoomEventMap, KurentoRoomProperties } from './element-types.js';

export type {
  KurentoRoomEventMap,
  KurentoRoomProperties,
  RoomEventDetails,
} from './element-types.js';

/** One `on<event-name>` prop per event of `<kurento-room>`, e.g. `onroom-error`. */
export type KurentoRoomEventProps = {
  [K in keyof KurentoRoomEventMap as `on${K}`]?: (event: KurentoRoomEventMap[K]) => void;
};

/** The props of `<kurento-room>` in React 19 JSX: HTML attributes, `ref`, its properties and its events. */
export type KurentoRoomReactProps = DetailedHTMLProps<
  HTMLAttributes<KurentoRoomElement>,
  KurentoRoomElement
> &
  KurentoRoomProperties &
  KurentoRoomEventProps;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      /** A multi-party video room; see {@link KurentoRoomElement}. */
      'kurento-room': KurentoRoomReactProps;
    }
  }
}
