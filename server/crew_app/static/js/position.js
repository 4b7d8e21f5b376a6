// The tablet's position: kept for the map and the call's distance, and reported over the socket
// every POSITION_EVERY_MS, or sooner once the car has moved POSITION_MOVED_M.

import { distanceM } from "./map.js";

const POSITION_EVERY_MS = 15_000;
const POSITION_MOVED_M = 50; // a moving car reports sooner than every POSITION_EVERY_MS

export class Position {
  /** `report(lat, lon, accuracy)` sends a position; `moved()` runs after every fix. */
  constructor(map, report, moved) {
    this.map = map;
    this.report = report;
    this.moved = moved;
    this.here = null; // {lat, lon}
    this.lastPositionMs = 0;
    this.lastReported = null;
  }

  watch() {
    navigator.geolocation?.watchPosition((position) => this.onPosition(position), () => {}, {
      enableHighAccuracy: true,
      maximumAge: 10_000,
    });
  }

  onPosition(position) {
    const here = { lat: position.coords.latitude, lon: position.coords.longitude };
    this.here = here;
    this.map.setSelf(here.lat, here.lon);
    const now = Date.now();
    const moved = this.lastReported === null || distanceM(this.lastReported, here) >= POSITION_MOVED_M;
    if (now - this.lastPositionMs >= POSITION_EVERY_MS || moved) {
      this.lastPositionMs = now;
      this.lastReported = here;
      this.report(here.lat, here.lon, position.coords.accuracy);
    }
    this.moved();
  }
}
