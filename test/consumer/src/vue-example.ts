// Vue 3: `kurento-room/vue` types `<kurento-room>` in templates (vue-tsc) through Vue's
// GlobalComponents; this file checks the same types without a template compiler.
import 'kurento-room';
import type {} from 'kurento-room/vue';
import type { GlobalComponents } from 'vue';

type KurentoRoom = InstanceType<GlobalComponents['kurento-room']>;

export const props: KurentoRoom['$props'] = {
  room: 'standup',
  name: 'Ada',
  autojoin: true,
  layout: 'grid',
  class: 'room',
};

export function emitted(room: KurentoRoom, error: CustomEvent<{ error: never }>): void {
  room.$emit('room-error', error);
}

// @ts-expect-error -- layout is 'grid' or 'speaker'
export const wrongLayout: KurentoRoom['$props'] = { layout: 'mosaic' };

export function wrongEvent(room: KurentoRoom, event: CustomEvent<{ error: never }>): void {
  // @ts-expect-error -- a misspelled event name is rejected
  room.$emit('room-eror', event);
}
