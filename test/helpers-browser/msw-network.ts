// The page's msw network, for the in-page fake servers: WebSocket interception only.
//
// msw is started without a service worker: `setupWorker().start()` always registers one
// (for HTTP), but WebSocket mocking only needs the WebSocket interceptor, which patches
// `globalThis.WebSocket`. `defineNetwork` + `InterceptorSource` (msw/experimental) wire
// exactly that, and `ws.link()` handlers work unchanged. Connections to URLs without a
// handler pass through to the real network.
import { defineNetwork, InterceptorSource } from 'msw/experimental';
import { WebSocketInterceptor } from '@mswjs/interceptors/WebSocket';

/** `use()` a `ws.link()` handler to answer its URL; `resetHandlers()` drops every handler. */
export const network = defineNetwork({
  // Two copies of @mswjs/interceptors' types (msw's and the top-level one) differ only
  // in a private symbol; the runtime object is the same class.
  sources: [new InterceptorSource({ interceptors: [new WebSocketInterceptor() as never] })],
  handlers: [],
  onUnhandledFrame: 'bypass',
  context: { quiet: true },
});
await network.enable();
