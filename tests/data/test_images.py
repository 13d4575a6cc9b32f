"""assay.data.images: folders and file:// URLs of PNGs in, a 4D channels-first array out."""

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from assay.data.images import image_to_array, read_folder, read_urls, stack_images, to_pillow
from assay.errors import InvalidArgument, NotFound


@pytest.fixture
def digits():
    """Five 8x8 grayscale digits as uint8 pixels (scikit-learn's bundled copy, no download)."""
    images = load_digits().images[:5]
    return (images * 255 / 16).round().astype(np.uint8)


def write_pngs(folder, pixels):
    folder.mkdir(exist_ok=True)
    for i, image in enumerate(pixels):
        Image.fromarray(image).save(folder / f"digit_{i}.png")
    return folder


def test_read_folder_stacks_grayscale_pngs_by_file_name(tmp_path, digits):
    folder = write_pngs(tmp_path / "digits", digits)
    (folder / ".hidden").write_bytes(b"ignored")
    (folder / "sub").mkdir()
    arr, names = read_folder(str(folder))
    assert names == [f"digit_{i}.png" for i in range(5)]
    assert arr.shape == (5, 1, 8, 8)
    assert arr.dtype == np.uint8
    np.testing.assert_array_equal(arr[:, 0], digits)


def test_read_folder_sorts_by_name(tmp_path, digits):
    folder = tmp_path / "digits"
    folder.mkdir()
    Image.fromarray(digits[0]).save(folder / "b.png")
    Image.fromarray(digits[1]).save(folder / "a.png")
    arr, names = read_folder(folder)
    assert names == ["a.png", "b.png"]
    np.testing.assert_array_equal(arr[0, 0], digits[1])


def test_read_folder_rgb_is_channels_first(tmp_path):
    rgb = np.zeros((4, 6, 3), dtype=np.uint8)
    rgb[..., 0] = 10
    rgb[..., 1] = 20
    rgb[..., 2] = 30
    folder = tmp_path / "rgb"
    folder.mkdir()
    Image.fromarray(rgb).save(folder / "x.png")
    arr, _ = read_folder(folder)
    assert arr.shape == (1, 3, 4, 6)
    assert arr[0, :, 0, 0].tolist() == [10, 20, 30]


def test_read_folder_refuses_mixed_sizes_naming_them(tmp_path, digits):
    folder = write_pngs(tmp_path / "digits", digits[:2])
    Image.fromarray(np.zeros((9, 8), dtype=np.uint8)).save(folder / "digit_9.png")
    with pytest.raises(
        InvalidArgument,
        match=r"folder_path: every image must have the same size.*'digit_0\.png'.*\['digit_9\.png'\]",
    ):
        read_folder(folder)


def test_read_folder_refuses_mixed_channels(tmp_path, digits):
    folder = write_pngs(tmp_path / "digits", digits[:1])
    Image.fromarray(np.zeros((8, 8, 3), dtype=np.uint8)).save(folder / "rgb.png")
    with pytest.raises(InvalidArgument, match=r"same size and channels.*\['rgb\.png'\]"):
        read_folder(folder)


def test_read_folder_refuses_a_truncated_file_naming_it(tmp_path, digits):
    folder = write_pngs(tmp_path / "digits", digits[:2])
    broken = folder / "digit_1.png"
    data = broken.read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        InvalidArgument, match=r"folder_path '.*digits' holds 'digit_1\.png', which Pillow cannot"
    ):
        read_folder(folder)


def test_read_folder_refuses_a_non_image_naming_it(tmp_path, digits):
    folder = write_pngs(tmp_path / "digits", digits[:1])
    (folder / "notes.txt").write_text("hello")
    with pytest.raises(InvalidArgument, match=r"holds 'notes\.txt', which Pillow cannot read"):
        read_folder(folder)


def test_read_folder_missing_is_not_found(tmp_path):
    with pytest.raises(NotFound, match=r"folder_path '.*nope' is not a folder"):
        read_folder(tmp_path / "nope")


def test_read_folder_a_file_is_not_a_folder(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(b"")
    with pytest.raises(NotFound, match=r"folder_path .* is not a folder"):
        read_folder(path)


def test_read_folder_empty_is_refused(tmp_path):
    (tmp_path / ".only_hidden").write_bytes(b"x")
    with pytest.raises(InvalidArgument, match=r"folder_path .* holds no image files"):
        read_folder(tmp_path)


def test_read_folder_refuses_a_non_path():
    with pytest.raises(InvalidArgument, match="folder_path must be a path"):
        read_folder(3.5)


def test_read_urls_of_files(tmp_path, digits):
    folder = write_pngs(tmp_path / "digits", digits[:3])
    urls = [(folder / f"digit_{i}.png").as_uri() for i in (2, 0)]
    arr = read_urls(urls)
    assert arr.shape == (2, 1, 8, 8)
    np.testing.assert_array_equal(arr[:, 0], digits[[2, 0]])


@pytest.mark.parametrize("urls", ["file:///x.png", [], None, ("a" for _ in range(1))])
def test_read_urls_refuses_a_non_list(urls):
    with pytest.raises(InvalidArgument, match="urls must be a non-empty list of str"):
        read_urls(urls)


@pytest.mark.parametrize("url", ["/tmp/x.png", "ftp://host/x.png", 5])
def test_read_urls_refuses_other_schemes(url):
    with pytest.raises(InvalidArgument, match=r"urls must hold http\(s\):// or file:// URLs"):
        read_urls([url])


def test_read_urls_names_the_unreadable_url(tmp_path):
    path = tmp_path / "bad.png"
    path.write_bytes(b"not a png")
    with pytest.raises(
        InvalidArgument, match=r"urls: cannot read an image from 'file://.*bad\.png'"
    ):
        read_urls([path.as_uri()])


def test_image_to_array_converts_palette_images_to_rgb():
    image = Image.new("P", (3, 2))
    assert image_to_array(image, "p").shape == (3, 2, 3)
    assert image_to_array(Image.new("L", (3, 2)), "l").shape == (1, 2, 3)


def test_stack_images_refuses_mixed_pixel_types():
    arrays = [np.zeros((1, 2, 2), np.uint8), np.zeros((1, 2, 2), np.int32)]
    with pytest.raises(InvalidArgument, match=r"urls: images have mixed pixel types"):
        stack_images(arrays, ["a", "b"], "urls")


def test_to_pillow_round_trips_and_clips(digits):
    arr = digits[:, np.newaxis]
    images = to_pillow(arr)
    assert len(images) == 5
    assert images[0].mode == "L"
    np.testing.assert_array_equal(np.asarray(images[3]), digits[3])
    rgb = to_pillow(np.full((1, 3, 2, 2), 300.0))
    assert rgb[0].mode == "RGB"
    assert np.asarray(rgb[0]).max() == 255
    with pytest.raises(InvalidArgument, match="to_pillow needs 1, 3 or 4 channels"):
        to_pillow(np.zeros((1, 2, 2, 2)))
