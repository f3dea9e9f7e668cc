/**
 * The shapes the framework typings of `<kurento-room>` share: what a template may set on the
 * element, and the DOM event each of its events is.
 *
 * @packageDocumentation
 */
import type { KurentoRoomElement } from '../element/kurento-room.js';
import type { RoomEventDetails } from '../element/room-controller.js';

export type { RoomEventDetails };

/**
 * The `<kurento-room>` properties a template may set: `server`, `room`, `name`, `autojoin`,
 * `iceTransportPolicy`, `layout` and `pinned` (also attributes), and `iceServers` and
 * `media` (properties only).
 * Every one is optional; see {@link KurentoRoomElement} for each.
 */
export type KurentoRoomProperties = Partial<
  Pick<
    KurentoRoomElement,
    | 'server'
    | 'room'
    | 'name'
    | 'autojoin'
    | 'iceServers'
    | 'iceTransportPolicy'
    | 'media'
    | 'layout'
    | 'pinned'
  >
>;

/**
 * Every event `<kurento-room>` fires, by name, as the `CustomEvent` it is: `detail` has the
 * shape {@link RoomEventDetails} gives for the name. The same map is registered on the
 * DOM's `GlobalEventHandlersEventMap`, so `element.addEventListener('room-error', …)` is
 * typed without it.
 */
export type KurentoRoomEventMap = {
  [K in keyof RoomEventDetails]: CustomEvent<RoomEventDetails[K]>;
};
