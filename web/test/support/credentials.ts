/** The password every test user gets (the app's minimum is 8 characters). */
export const TEST_PASSWORD = 'correct horse battery';
