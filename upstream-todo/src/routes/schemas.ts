// JSON schemas for the task API: they validate requests (ajv), serialize
// responses (fast-json-stringify) and are published as the OpenAPI document.
// Shared shapes are registered once with app.addSchema and referenced by $id.

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
export const USER_ID_MAX = 255;
// At most 15 digits: every such number is an exact JavaScript integer, so an id
// can never round onto a different task's id.
export const TASK_ID_PATTERN = '^[1-9][0-9]{0,14}$';

export const taskSchema = {
  $id: 'Task',
  type: 'object',
  required: ['id', 'user_id', 'title', 'description', 'completed', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    user_id: { type: 'string' },
    title: { type: 'string' },
    description: { type: ['string', 'null'] },
    completed: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time', description: 'ISO-8601 UTC with milliseconds' },
    updated_at: { type: 'string', format: 'date-time', description: 'moves on every change' },
  },
} as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'machine-readable kind, e.g. bad_request, not_found' },
    message: { type: 'string' },
  },
} as const;

export const sharedSchemas = [taskSchema, errorSchema];

const taskRef = { $ref: 'Task#' } as const;
const errorRef = { $ref: 'Error#' } as const;

const userIdParam = {
  type: 'string',
  minLength: 1,
  maxLength: USER_ID_MAX,
  description: 'The owner. Trusted as given: this service does no authentication.',
} as const;

const taskIdParam = {
  type: 'string',
  pattern: TASK_ID_PATTERN,
  description: 'Task id: a positive integer without leading zeros (anything else is a 400).',
} as const;

const userParams = {
  type: 'object',
  required: ['user_id'],
  additionalProperties: false,
  properties: { user_id: userIdParam },
} as const;

const taskParams = {
  type: 'object',
  required: ['user_id', 'id'],
  additionalProperties: false,
  properties: { user_id: userIdParam, id: taskIdParam },
} as const;

// Titles are trimmed before validation (see trim-title.ts), so minLength 1 also
// rejects a title made only of whitespace.
const title = { type: 'string', minLength: 1, maxLength: TITLE_MAX, description: 'trimmed, 1–200 characters' } as const;
const description = { type: ['string', 'null'], maxLength: DESCRIPTION_MAX, description: 'at most 1000 characters' } as const;

const tags = ['tasks'];

export const listTasksSchema = {
  tags,
  operationId: 'listTasks',
  summary: "List the user's tasks, newest first",
  params: userParams,
  response: {
    200: { type: 'array', items: taskRef },
    400: errorRef,
  },
};

export const createTaskSchema = {
  tags,
  operationId: 'createTask',
  summary: 'Create a task',
  params: userParams,
  body: {
    type: 'object',
    required: ['title'],
    additionalProperties: false,
    properties: { title, description },
  },
  response: {
    201: { ...taskRef, description: 'Created; Location names the new task' },
    400: errorRef,
  },
};

export const getTaskSchema = {
  tags,
  operationId: 'getTask',
  summary: 'One task',
  params: taskParams,
  response: { 200: taskRef, 400: errorRef, 404: errorRef },
};

export const updateTaskSchema = {
  tags,
  operationId: 'updateTask',
  summary: 'Change any non-empty subset of title, description, completed',
  params: taskParams,
  body: {
    type: 'object',
    minProperties: 1,
    additionalProperties: false,
    properties: { title, description, completed: { type: 'boolean' } },
  },
  response: { 200: taskRef, 400: errorRef, 404: errorRef },
};

export const deleteTaskSchema = {
  tags,
  operationId: 'deleteTask',
  summary: 'Delete a task',
  params: taskParams,
  response: {
    204: { type: 'null', description: 'Deleted' },
    400: errorRef,
    404: errorRef,
  },
};

export const toggleTaskSchema = {
  tags,
  operationId: 'toggleTaskCompletion',
  summary: 'Toggle completion (no body needed; any body is ignored)',
  params: taskParams,
  response: { 200: taskRef, 400: errorRef, 404: errorRef },
};

export const healthSchema = {
  tags: ['health'],
  operationId: 'health',
  summary: 'Liveness and database check',
  response: {
    200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } },
    503: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['unavailable'] } } },
  },
};
