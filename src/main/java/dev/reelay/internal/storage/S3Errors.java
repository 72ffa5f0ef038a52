package dev.reelay.internal.storage;

import dev.reelay.storage.ObjectStoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Which S3 failures may succeed on a later try, and how to say what failed. */
final class S3Errors {

    private static final Set<String> RETRYABLE_CODES = Set.of(
            "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed",
            "InternalError", "ServiceUnavailable", "RequestLimitExceeded", "TooManyRequestsException");

    private S3Errors() {
    }

    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * Whether trying the same request again may succeed: the store's 5xx, throttling, 408 and
     * 429, a stall, and failures of the connection (I/O). Not: the store's other answers, a local
     * file that is gone, unreadable or changed, credentials that cannot be loaded, a request the
     * SDK cannot build or sign, a closed client: those fail the same way on every try.
     */
    static boolean retryable(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof Error || localFileProblem(t) || fileChanged(t) != null) {
            return false;
        }
        if (t instanceof TimeoutException) {
            return true;
        }
        if (t instanceof AwsServiceException) {
            AwsServiceException e = (AwsServiceException) t;
            int status = e.statusCode();
            return status >= 500 || status == 429 || status == 408 || RETRYABLE_CODES.contains(errorCode(e));
        }
        if (t instanceof SdkClientException) {
            return !credentialsProblem(t) && (((SdkClientException) t).retryable() || connectionProblem(t));
        }
        return t instanceof IOException;
    }

    /** A failure of the connection or a timeout somewhere in the chain: the SDK's own test for a retry. */
    private static boolean connectionProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException || c instanceof UncheckedIOException || c instanceof TimeoutException
                    || c instanceof ApiCallAttemptTimeoutException || c instanceof io.netty.channel.ChannelException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** The SDK says so in words only: "Unable to load credentials from any of the providers …". */
    private static boolean credentialsProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (c instanceof SdkClientException && m != null && m.contains("Unable to load credentials")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** A local file that vanished or cannot be read fails the same way on every try. */
    private static boolean localFileProblem(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FileSystemException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** The file changed while it was read, wherever in the chain it is said. */
    static FileChangedException fileChanged(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FileChangedException) {
                return (FileChangedException) c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    static String errorCode(AwsServiceException e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    static ObjectStoreException toStoreException(String bucket, String key, int attempts, Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ObjectStoreException) {
            return (ObjectStoreException) t;
        }
        int status = 0;
        String code = null;
        String what;
        if (t instanceof AwsServiceException) {
            AwsServiceException e = (AwsServiceException) t;
            status = e.statusCode();
            code = errorCode(e);
            String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            what = status + (code == null ? "" : " " + code) + (message == null ? "" : " (" + message + ")");
        } else if (fileChanged(t) != null) {
            what = fileChanged(t).getMessage();
        } else if (t instanceof StallException) {
            what = "stalled: " + t.getMessage();
        } else if (t instanceof TimeoutException) {
            what = "no answer in time";
        } else if (credentialsProblem(t)) {
            what = "the credentials could not be loaded: " + describe(t);
        } else if (localFileProblem(t)) {
            what = "local file problem: " + describe(rootOf(t));
        } else {
            what = describe(t instanceof SdkException && t.getCause() != null ? rootOf(t) : t);
        }
        String message = "could not store s3://" + bucket + "/" + key + " after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + what;
        // a changed file is not tried again now, but a later run, once the file is finished, may store it
        return new ObjectStoreException(key, status, code, attempts, retryable(t) || fileChanged(t) != null, message, t);
    }

    private static Throwable rootOf(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
