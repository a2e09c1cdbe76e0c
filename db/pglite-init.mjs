// Creates an embedded PGlite database (initdb) in its own short-lived process: initdb's WebAssembly
// memory is never returned to the system once used, so doing it in the server would keep it for
// the server's whole life. Usage: node db/pglite-init.mjs <data-dir>
import { PGlite } from "@electric-sql/pglite";

const db = new PGlite(process.argv[2]);
await db.waitReady;
await db.close();
