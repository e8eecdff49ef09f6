/** The API's shortest new password (an admin's first one, or a changed one). */
export const PASSWORD_MIN_LENGTH = 12;
