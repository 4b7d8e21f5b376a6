// The dispatcher page's /ws/dispatch link: the shared socket client (shared/socket.js: hello →
// welcome → replayed events → live events, heartbeats, gaps, backoff) with what the page adds.
// The page keeps its place in the stream in memory only: a reload starts from a REST snapshot
// (onFreshState), as does a `resync` from the server. A link down for more than a few seconds
// shows the full-width disconnected bar (shared/disconnected.js).

import { DisconnectedOverlay } from "../shared/disconnected.js";
import { SocketClient } from "../shared/socket.js";
import { formatTime, t } from "./i18n.js";

export class RelayClient {
  /**
   * handlers: onEvent(message), onFreshState(reason) (load everything over REST; events that
   * arrive meanwhile still come to onEvent), onState(state, detail, params) (params.s: seconds
   * until the next try while reconnecting), onAuthFailed(code).
   */
  constructor(url, token, handlers) {
    this.handlers = handlers;
    this.applied = 0;
    this.client = new SocketClient({
      url,
      token,
      position: () => ({ lastSeq: null, epoch: null }),
      linkWatch: new DisconnectedOverlay({ t, formatTime }),
      handlers: {
        onWelcome: (message, fresh) => {
          if (fresh) handlers.onFreshState("start");
        },
        onEvent: (message) => this.event(message),
        onResync: (message) => handlers.onFreshState(message.reason),
        onMessage: (message) => {
          if (message.type === "error") console.warn("relay refused a message:", message.code, message.detail);
        },
        onState: (state, detail, params) => handlers.onState(state, detail, params),
        onRefused: (code) => handlers.onAuthFailed(code),
      },
    });
  }

  start() {
    this.client.start();
  }

  stop() {
    this.client.stop();
  }

  /** Forget the position in the stream: the next welcome starts from a fresh REST snapshot. */
  startOver(reason) {
    this.client.startOver(reason);
  }

  event(message) {
    this.applied += 1;
    document.documentElement.dataset.eventsApplied = String(this.applied);
    this.handlers.onEvent(message);
  }
}
