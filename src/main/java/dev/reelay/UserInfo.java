package dev.reelay;

/**
 * The owner of a recording, as the receiver knows them. The receiver matches the user by
 * {@code email}; a receiver that does not know the email answers 404.
 *
 * <pre>{@code
 * UserInfo user = new UserInfo("souvik", "souvik@example.com");
 * }</pre>
 *
 * @param username the user's name, sent as {@code user_info.username}
 * @param email    the user's email, sent as {@code user_info.email}; required
 */
public record UserInfo(String username, String email) {
}
