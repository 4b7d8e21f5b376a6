// The tablet's durable state in IndexedDB: everything the crew did offline waits here until
// the server confirms it, so a reload or a flat battery loses nothing.

const NAME = "posbon-crew";
const VERSION = 1;
const STORES = {
  meta: { keyPath: "key" },
  dispatches: { keyPath: "dispatch_id" },
  incidents: { keyPath: "id" },
  actions: { keyPath: "op_id" },
  positions: { keyPath: "id", autoIncrement: true },
  mutations: { keyPath: "client_seq" },
  entities: { keyPath: "key" },
  reports: { keyPath: "incident_id" },
};

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function openDb() {
  const request = indexedDB.open(NAME, VERSION);
  request.onupgradeneeded = () => {
    for (const [name, options] of Object.entries(STORES)) {
      if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name, options);
    }
  };
  return new Db(await done(request));
}

export class Db {
  constructor(idb) {
    this.idb = idb;
  }

  /** Run `work(stores)` in one transaction; resolves once it has committed. */
  async transact(names, work) {
    const tx = this.idb.transaction(names, "readwrite");
    const stores = Object.fromEntries(names.map((name) => [name, new Store(tx.objectStore(name))]));
    const committed = new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error("transaction aborted"));
    });
    let result;
    try {
      result = await work(stores);
    } catch (error) {
      tx.abort();
      throw error;
    }
    await committed;
    return result;
  }

  get(name, key) {
    return this.transact([name], (s) => s[name].get(key));
  }

  put(name, value) {
    return this.transact([name], (s) => s[name].put(value));
  }

  delete(name, key) {
    return this.transact([name], (s) => s[name].delete(key));
  }

  all(name) {
    return this.transact([name], (s) => s[name].all());
  }

  async meta(key, fallback = null) {
    const row = await this.get("meta", key);
    return row === undefined ? fallback : row.value;
  }

  setMeta(key, value) {
    return this.put("meta", { key, value });
  }

  async clear() {
    await this.transact(Object.keys(STORES), async (s) => {
      for (const store of Object.values(s)) await store.clear();
    });
  }
}

class Store {
  constructor(store) {
    this.store = store;
  }
  get(key) {
    return done(this.store.get(key));
  }
  put(value) {
    return done(this.store.put(value));
  }
  delete(key) {
    return done(this.store.delete(key));
  }
  all() {
    return done(this.store.getAll());
  }
  clear() {
    return done(this.store.clear());
  }
  async meta(key, fallback = null) {
    const row = await this.get(key);
    return row === undefined ? fallback : row.value;
  }
  setMeta(key, value) {
    return this.put({ key, value });
  }
}
