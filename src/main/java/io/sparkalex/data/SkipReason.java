package io.sparkalex.data;

/** Why a CSV row was not used for training; counted per reason in the data report. */
public enum SkipReason {
    MISSING_FILE("file not found under the image root"),
    EMPTY_FILE("file is empty"),
    CORRUPT("bytes cannot be decoded (truncated or damaged)"),
    NOT_AN_IMAGE("bytes are not an image"),
    UNSUPPORTED_FORMAT("image format not supported"),
    TOO_SMALL("image too small"),
    TOO_LARGE("image too large (pixels, or the memory decoding them would take)"),
    FILE_TOO_LARGE("file larger than max_image_bytes"),
    OUT_OF_MEMORY("decoding ran out of memory"),
    NO_LABEL("no label: file name has no '_' before which a WordNet id could stand"),
    UNKNOWN_CLASS("label is not one of the model's classes"),
    UNSAFE_PATH("path escapes the image root (absolute, '..' or another scheme)"),
    READ_ERROR("file could not be read");

    private final String description;

    SkipReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
