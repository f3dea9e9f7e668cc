/**
 * kurento-room: the SDK core (`RoomClient`) and the `<kurento-room>` web component.
 * Importing this module defines the `kurento-room` custom element.
 *
 * @packageDocumentation
 */
export * from './client.js';
export { KurentoRoomElement } from './element/kurento-room.js';
export type { RoomLayout } from './element/room-layout.js';
