"""The chapters' cameras draw images exactly as manim's cameras do, and reuse a resampled image only while
neither its pixels nor its place on screen changed."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Camera, ImageMobject, ThreeDCamera, tempconfig

from scenes.style.camera import LAYER_CACHE_SIZE, ChapterCamera, ChapterThreeDCamera


def frames_of(camera_class: type, image: ImageMobject, changes, background: np.ndarray) -> list[np.ndarray]:
    """The frame after each change to ``image`` (drawn over ``background``, as manim draws over a static frame)."""
    camera = camera_class()
    frames = []
    for change in changes:
        change(image)
        camera.pixel_array[:] = background
        camera.display_image_mobject(image, camera.pixel_array)
        frames.append(camera.pixel_array.copy())
    return frames


def still(_: ImageMobject) -> None:
    """No change: the frame is drawn again, as under a moving trace."""


CHANGES = [
    still,
    still,
    lambda m: m.shift([0.7, 0.1, 0]),  # moves
    still,
    lambda m: m.set_opacity(0.6),  # fades: new pixels
    lambda m: m.scale(1.3),
    lambda m: m.rotate(0.3),  # the perspective transform, not a resize
    lambda m: m.shift([5.5, 0, 0]),  # partly off the frame
    still,
    lambda m: m.shift([-5.5, 0, 0]),  # back where it was: the kept layer again
    lambda m: m.pixel_array.__setitem__((slice(0, 9), slice(None), 0), 0),  # its pixels change in place
    still,
]


@pytest.mark.parametrize(("ours", "manims"), [(ChapterCamera, Camera), (ChapterThreeDCamera, ThreeDCamera)])
@pytest.mark.parametrize("resampling", ["nearest", "bicubic"])
def test_images_are_drawn_pixel_for_pixel_as_manim_draws_them(ours, manims, resampling):
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (41, 57, 4), dtype=np.uint8)
    pixels[:5, :, 3] = 0  # transparent and half-transparent parts
    pixels[5:12, :, 3] = 100
    with tempconfig({"quality": "low_quality"}):
        background = rng.integers(0, 256, Camera().pixel_array.shape, dtype=np.uint8)

        def image() -> ImageMobject:
            mob = ImageMobject(pixels.copy(), scale_to_resolution=200)
            mob.set_resampling_algorithm({"nearest": 0, "bicubic": 3}[resampling])
            return mob

        expected = frames_of(manims, image(), CHANGES, background)
        actual = frames_of(ours, image(), CHANGES, background)
    assert not np.array_equal(expected[0], background)  # the image is drawn at all
    assert not np.array_equal(expected[1], expected[2])  # and the changes change the frame
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        np.testing.assert_array_equal(got, want, err_msg=f"frame {index} differs from manim's")


def test_unchanged_image_is_resampled_once_and_the_cache_stays_bounded():
    with tempconfig({"quality": "low_quality"}):
        camera = ChapterCamera()
        image = ImageMobject(np.full((20, 20, 4), 200, dtype=np.uint8))
        for _ in range(3):
            camera.display_image_mobject(image, camera.pixel_array)
        assert len(camera._layers) == 1
        for step in range(2 * LAYER_CACHE_SIZE):
            image.shift([0.1, 0, 0])
            camera.display_image_mobject(image, camera.pixel_array)
        assert len(camera._layers) == LAYER_CACHE_SIZE
