// Public API for in-process use (the gateway's end-to-end tests, the benchmarks).
export { buildApp, type BuildAppOptions } from './app.js';
export { openDatabase, type Db } from './db/open.js';
export { createTasksRepo, type Task, type NewTask, type TaskChanges, type TasksRepo } from './db/tasks-repo.js';
export { startServer, type StartServerOptions, type RunningServer } from './server.js';
export { configFromEnv, DEFAULT_DB_PATH, type ServiceConfig } from './config.js';
