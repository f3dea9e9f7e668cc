/**
 * Vue 3 typing of `<kurento-room>` for template type checking (vue-tsc, Volar); types only,
 * nothing runs. Vue compiles `<kurento-room>` as a component unless told it is a custom
 * element, so the app tells it (Vite: `vue({ template: { compilerOptions: { isCustomElement:
 * (tag) => tag === 'kurento-room' } } })`), defines it (`import 'kurento-room';`) and
 * imports this module once (`import type {} from 'kurento-room/vue';`): templates then check
 * the element's properties (`:room`, `:autojoin`, `:ice-servers`, ...) and each event's
 * handler (`@room-error="(event) => ..."` gets a `CustomEvent` with its `detail`). This is the
 * `GlobalComponents` shape Vue's guide gives for non-Vue web components ("Vue and Web
 * Components", "Web Components and TypeScript").
 *
 * @packageDocumentation
 */
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type { KurentoRoomElement } from '../element/kurento-room.js';
import type { KurentoRoomEventMap, KurentoRoomProperties } from './element-types.js';

export type {
  KurentoRoomEventMap,
  KurentoRoomProperties,
  RoomEventDetails,
} from './element-types.js';

/** `<kurento-room>` as Vue's template checker sees a component: the element, its props and its events. */
export type KurentoRoomVueComponent = new () => KurentoRoomElement & {
  /** @deprecated For template type checking only: not a property of the element. */
  $props: HTMLAttributes & KurentoRoomProperties & PublicProps;
  /** @deprecated For template type checking only: not a method of the element. */
  $emit: EmitFn<{ [K in keyof KurentoRoomEventMap]: (event: KurentoRoomEventMap[K]) => void }>;
};

declare module 'vue' {
  interface GlobalComponents {
    /** A multi-party video room; see {@link KurentoRoomElement}. */
    'kurento-room': KurentoRoomVueComponent;
  }
}
